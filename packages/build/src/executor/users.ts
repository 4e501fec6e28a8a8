import { DockerfileError } from '@pipeline/core';
import type { Pos } from '../dockerfile/types.js';

export interface Owner {
  uid: number;
  gid: number;
}

function lookupName(file: string | undefined, name: string, field: 2 | 3): number | undefined {
  for (const line of (file ?? '').split('\n')) {
    const parts = line.split(':');
    if (parts[0] === name && parts.length > field) return Number(parts[field]);
  }
  return undefined;
}

/**
 * Resolves `--chown=user[:group]` as Docker does: numbers as they are, names through the
 * image's /etc/passwd and /etc/group (read only when a name is used). A user alone means its primary group.
 */
export async function resolveOwner(spec: string, readEtc: (path: string) => Promise<string | undefined>, where: { file: string; pos: Pos }): Promise<Owner> {
  const [user, group] = spec.split(':');
  const fail = (what: string) => new DockerfileError(`--chown=${spec}: ${what}`, { file: where.file, ...where.pos }, 'use numeric ids (--chown=1000:1000) or names that exist in the image');
  let uid: number;
  let gid: number | undefined;
  if (/^\d+$/.test(user)) uid = Number(user);
  else {
    const passwd = await readEtc('etc/passwd');
    const u = lookupName(passwd, user, 2);
    if (u === undefined) throw fail(`no user ${JSON.stringify(user)} in the image's /etc/passwd`);
    uid = u;
    if (group === undefined) gid = lookupName(passwd, user, 3);
  }
  if (group !== undefined && group !== '') {
    if (/^\d+$/.test(group)) gid = Number(group);
    else {
      const g = lookupName(await readEtc('etc/group'), group, 2);
      if (g === undefined) throw fail(`no group ${JSON.stringify(group)} in the image's /etc/group`);
      gid = g;
    }
  }
  return { uid, gid: gid ?? uid };
}
