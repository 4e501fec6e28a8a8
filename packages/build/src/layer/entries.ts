import { quote } from '@pipeline/core';
/** Where an entry's bytes or shape come from. */
export type LayerSource =
  /** A regular file on disk, streamed; `linkKey` (dev:ino) makes later copies of it hard links. */
  | { kind: 'file'; path: string; size: number; linkKey?: string }
  | { kind: 'bytes'; data: Uint8Array }
  | { kind: 'dir' }
  | { kind: 'symlink'; target: string }
  /** A hard link to another entry of the same layer (image path). */
  | { kind: 'hardlink'; target: string }
  /** Deletes `path` from lower layers (written as `.wh.<name>`). */
  | { kind: 'whiteout' }
  /** Hides everything below the directory `path` in lower layers (`.wh..wh..opq`). */
  | { kind: 'opaque' };

export interface LayerEntry {
  /** Path in the image: slash separated; a leading `/` or `./` is dropped. */
  path: string;
  source: LayerSource;
  /** Permission bits as found: kept as they are (Docker keeps them), 0o7777 of them. */
  mode?: number;
  /** An explicit mode (COPY --chmod): always written as given. */
  chmod?: number;
  uid?: number;
  gid?: number;
}

/** The mode of an entry that gives none: what a plain `mkdir`, file or `ln -s` gets. */
export function defaultMode(kind: LayerSource['kind']): number {
  if (kind === 'dir' || kind === 'opaque') return 0o755;
  return kind === 'symlink' ? 0o777 : 0o644;
}

/** Image path as it goes in the tar: no leading `/` or `./`, no `..`, no trailing `/`. */
export function imagePath(p: string): string {
  const parts: string[] = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') throw new Error(`layer path ${quote(p)} leaves the image root`);
    parts.push(c);
  }
  return parts.join('/');
}
