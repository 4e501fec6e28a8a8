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
  /** Permission bits as found (normalized unless the writer preserves modes). */
  mode?: number;
  /** An explicit mode (COPY --chmod): always written as given. */
  chmod?: number;
  uid?: number;
  gid?: number;
}

/**
 * Modes as git sees them, so a checkout's umask never changes a digest: files 0644 or 0755 (any
 * exec bit), directories 0755, links 0777.
 */
export function normalizeMode(kind: LayerSource['kind'], mode = 0o644): number {
  if (kind === 'dir' || kind === 'opaque') return 0o755;
  if (kind === 'symlink') return 0o777;
  return mode & 0o111 ? 0o755 : 0o644;
}

/** Image path as it goes in the tar: no leading `/` or `./`, no `..`, no trailing `/`. */
export function imagePath(p: string): string {
  const parts: string[] = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') throw new Error(`layer path ${JSON.stringify(p)} leaves the image root`);
    parts.push(c);
  }
  return parts.join('/');
}
