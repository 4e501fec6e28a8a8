import { constants } from 'node:fs';
import { copyFile, open, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DockerfileError, type SourcePosition } from '@pipeline/core';
import { diskLookup, onDisk, resolveInRoot } from '../fs/index.js';
import { RootEntryError, RootWriter } from './root-writer.js';
import { MOUNT_POINTS } from './run-mounts.js';

/** Where the step's runtime filesystems go, as paths on disk inside the root. */
export interface StepMounts {
  proc: string;
  dev: string;
  sys: string;
  /** Private copies of the host's hosts/resolv.conf, bound over the image's (DNS as in `docker build`). */
  binds: [source: string, target: string][];
}

/** /etc/passwd and /etc/group are read up to this size (a hostile image could make them huge). */
const ETC_LIMIT = 4 << 20;

/**
 * Readies a live root for a step, every path resolved inside it (an image's /proc or WORKDIR may be
 * a link anywhere): mount points for /proc, /dev and /sys, the WORKDIR (created 0755 root-owned
 * when missing, as the engine does; it then belongs to the step's layer), and /etc/passwd and
 * /etc/group for USER.
 */
export async function prepareRoot(root: string, workdir: string, where: SourcePosition): Promise<{ mounts: StepMounts; created: string[]; passwd?: string; group?: string }> {
  const lookup = diskLookup(root);
  const writer = new RootWriter(root, true);
  // The mount points the image lacks (made here, they belong to the step's layer as in BuildKit).
  const created = MOUNT_POINTS.filter((p) => !lookup(p.slice(1)));
  const dirIn = async (path: string, what: string) => {
    const at = resolveInRoot(path, lookup);
    try {
      await writer.mkdirs(at, path);
    } catch (e) {
      if (e instanceof RootEntryError) throw new DockerfileError(`RUN: ${what} ${path} cannot be made a directory in the image (${e.message})`, where);
      throw e;
    }
    return onDisk(root, at);
  };
  await dirIn(workdir, 'WORKDIR');
  const mounts: StepMounts = { proc: await dirIn('/proc', 'mount point'), dev: await dirIn('/dev', 'mount point'), sys: await dirIn('/sys', 'mount point'), binds: [] };
  const etc = resolveInRoot('/etc', lookup);
  if (lookup(etc)?.type === 'dir') {
    for (const name of ['hosts', 'resolv.conf']) {
      const at = resolveInRoot(`/etc/${name}`, lookup);
      const node = lookup(at);
      if (node && node.type !== 'file') continue;
      if (!node && dirname(`/${at}`) !== `/${etc}`) continue; // a dangling link elsewhere: leave it
      if (!node) await writeFile(onDisk(root, at), '', { mode: 0o644 });
      const copy = join(dirname(root), name);
      await copyFile(`/etc/${name}`, copy).catch(() => writeFile(copy, ''));
      mounts.binds.push([copy, onDisk(root, at)]);
    }
  }
  return { mounts, created, passwd: await readEtc(root, '/etc/passwd'), group: await readEtc(root, '/etc/group') };
}

/** A small regular file of the image, read inside the root; undefined when absent or not a file. */
async function readEtc(root: string, path: string): Promise<string | undefined> {
  const lookup = diskLookup(root);
  const at = resolveInRoot(path, lookup);
  if (lookup(at)?.type !== 'file') return undefined;
  const fh = await open(onDisk(root, at), constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const buf = Buffer.alloc(ETC_LIMIT);
    const { bytesRead } = await fh.read(buf, 0, ETC_LIMIT, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}
