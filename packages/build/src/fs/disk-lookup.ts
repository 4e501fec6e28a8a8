import { lstatSync, readlinkSync } from 'node:fs';
import { onDisk, type RootLookup, type RootNode } from './in-root.js';

/** A RootLookup over a directory on disk (an unpacked image root): lstat, never following a link. */
export function diskLookup(root: string): RootLookup {
  return (path: string): RootNode | undefined => {
    const abs = onDisk(root, path);
    let s;
    try {
      s = lstatSync(abs);
    } catch {
      return undefined;
    }
    if (s.isSymbolicLink()) return { type: 'symlink', target: readlinkSync(abs) };
    if (s.isDirectory()) return { type: 'dir' };
    return s.isFile() ? { type: 'file' } : { type: 'other' };
  };
}
