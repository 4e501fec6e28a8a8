import { DockerfileError, quote } from '@pipeline/core';
import type { Pos } from '../dockerfile/types.js';

export interface Owner {
  uid: number;
  gid: number;
}

/** The largest id a tar header (PAX) and Linux take: 2^32 - 2 (2^32 - 1 is "no id"). */
const MAX_ID = 4294967294;

function lookupName(file: string | undefined, name: string, field: 2 | 3): number | undefined {
  for (const line of (file ?? '').split('\n')) {
    const parts = line.split(':');
    if (parts[0] === name && parts.length > field) return Number(parts[field]);
  }
  return undefined;
}

type Where = { file: string; pos: Pos };

const fail = (spec: string, what: string, where: Where, hint = 'use numeric ids (--chown=1000:1000) or names that exist in the image') =>
  new DockerfileError(`--chown=${spec}: ${what}`, { file: where.file, ...where.pos }, hint);

/** `user[:group]` split and checked: ids in range, no third part, nothing empty. Names are left to resolveOwner. */
export function parseOwnerSpec(spec: string, where: Where): { user: string; group?: string } {
  const parts = spec.split(':');
  if (parts.length > 2) throw fail(spec, `Expected user[:group], got ${parts.length} parts separated by ':'`, where);
  const [user, group] = parts;
  if (!user || group === '') throw fail(spec, 'Expected user[:group] with neither part empty', where);
  for (const id of [user, group]) {
    if (id !== undefined && /^\d+$/.test(id) && Number(id) > MAX_ID) throw fail(spec, `Expected an id from 0 to ${MAX_ID}, got ${id}`, where);
  }
  return { user, group };
}

/**
 * Resolves `--chown=user[:group]` (and the owner WORKDIR gives its directory) as BuildKit does:
 * numbers as they are (a uid alone is also the gid), names through the image's /etc/passwd and
 * /etc/group; a user name alone takes its passwd primary group. A name the image does not know is
 * refused (BuildKit silently uses root, which hides a typo), unless `unknownAsRoot` (WORKDIR's owner).
 */
export async function resolveOwner(spec: string, readEtc: (path: string) => Promise<string | undefined>, where: Where, opts: { unknownAsRoot?: boolean } = {}): Promise<Owner> {
  const { user, group } = parseOwnerSpec(spec, where);
  let uid = 0;
  let gid: number | undefined;
  if (/^\d+$/.test(user)) [uid, gid] = [Number(user), Number(user)];
  else {
    const passwd = await readEtc('etc/passwd');
    const u = lookupName(passwd, user, 2);
    if (u === undefined && !opts.unknownAsRoot) throw fail(spec, `no user ${quote(user)} in the image's /etc/passwd`, where);
    uid = u ?? 0;
    gid = lookupName(passwd, user, 3) ?? 0;
  }
  if (group !== undefined) {
    if (/^\d+$/.test(group)) gid = Number(group);
    else {
      const g = lookupName(await readEtc('etc/group'), group, 2);
      if (g === undefined && !opts.unknownAsRoot) throw fail(spec, `no group ${quote(group)} in the image's /etc/group`, where);
      if (g !== undefined) gid = g;
    }
  }
  return { uid, gid: gid ?? uid };
}
