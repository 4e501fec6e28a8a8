import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { RootWriter, entryPath } from './root-writer.js';

/** One filesystem change of a RUN step, path absolute in the image. */
export interface Change {
  path: string;
  kind: 'add' | 'modify' | 'delete';
}

/** A hard link of the step's changes whose target the step did not change (so it was not extracted). */
export interface MissingLinkTarget {
  path: string;
  target: string;
}

export interface Extracted {
  /** Hard links of the step to files it did not change: the caller fetches those files' content. */
  missing: MissingLinkTarget[];
  /** Each extracted path's owner as the export says (on disk only when extracted as root). */
  owners: Map<string, { uid: number; gid: number }>;
}

/**
 * Extracts only the listed paths of a container export into `dir` (a fresh directory), keeping
 * modes (and owners, as root), every entry written inside `dir` (RootWriter). A hard link to a file
 * the step did not change is returned, not extracted: the caller fetches that file's content
 * (Docker writes such a link as a plain file in the step's layer: its first occurrence there).
 */
export async function extractPaths(exported: Readable, dir: string, wanted: ReadonlySet<string>): Promise<Extracted> {
  const writer = new RootWriter(dir, process.getuid?.() === 0);
  const written = new Set<string>();
  const missing: MissingLinkTarget[] = [];
  const owners = new Map<string, { uid: number; gid: number }>();
  const extract = tar.extract();
  extract.on('entry', (h, stream, next) => {
    const s = stream as unknown as Readable;
    const run = async () => {
      const p = `/${entryPath(h.name)}`;
      if (!wanted.has(p)) return;
      if (h.type === 'link' && !written.has(`/${entryPath(h.linkname ?? '')}`)) {
        missing.push({ path: p, target: `/${entryPath(h.linkname ?? '')}` });
        return;
      }
      await writer.put(h.name, h.type ?? 'file', { mode: (h.mode ?? 0o644) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0, mtime: h.mtime }, s, h.linkname ?? undefined);
      written.add(p);
      owners.set(p, { uid: h.uid ?? 0, gid: h.gid ?? 0 });
    };
    run().then(
      () => (s.resume(), next()),
      (e: unknown) => (s.resume(), next(e as Error)),
    );
  });
  await pipeline(exported, extract);
  return { missing, owners };
}

/** Writes the single file of a `docker cp`-style archive (GET /containers/{id}/archive) at `path` in `dir`. */
export async function extractOneFile(archive: Readable, dir: string, path: string): Promise<{ uid: number; gid: number }> {
  const writer = new RootWriter(dir, process.getuid?.() === 0);
  let done: { uid: number; gid: number } | undefined;
  const extract = tar.extract();
  extract.on('entry', (h, stream, next) => {
    const s = stream as unknown as Readable;
    const run = async () => {
      if (done || (h.type !== 'file' && h.type !== 'contiguous-file')) return;
      await writer.put(path, 'file', { mode: (h.mode ?? 0o644) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0, mtime: h.mtime }, s);
      done = { uid: h.uid ?? 0, gid: h.gid ?? 0 };
    };
    run().then(
      () => (s.resume(), next()),
      (e: unknown) => (s.resume(), next(e as Error)),
    );
  });
  await pipeline(archive, extract);
  if (!done) throw new Error(`the engine's archive of ${path}'s link target held no file`);
  return done;
}
