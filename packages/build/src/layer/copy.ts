import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { ContextError, type SourcePosition } from '@pipeline/core';
import { makeIgnore, noIgnore, type Ignore } from '../context/dockerignore.js';
import { resolveSource, type ResolvedSource } from '../context/resolve.js';
import { walkContextSync } from '../context/walk.js';
import type { LayerEntry } from './entries.js';
import type { FileStat } from '../context/stat-cache.js';
import { writeLayerCached, type LayerResult } from './cached.js';

/** A Dockerfile position in either shape callers have at hand. */
export type Where = SourcePosition | { file: string; pos: { line: number; column: number } };

export const toPosition = (w?: Where): SourcePosition | undefined => (w && 'pos' in w ? { file: w.file, line: w.pos.line, column: w.pos.column } : w);

export interface CopyCommon {
  /** Destination in the image; relative to `workdir`; a trailing `/` makes it a directory. */
  dest: string;
  workdir?: string;
  owner?: { uid: number; gid: number };
  chmod?: number;
  /** COPY --exclude patterns, relative to each source. */
  excludes?: string[];
  epoch: number;
  store: string;
  cacheDir?: string;
  compressionLevel?: number;
  where?: Where;
  /** Tar bytes written so far and expected, while a layer is (re)built; not called on a cache hit. */
  onProgress?: (done: number, total: number) => void;
}

export interface CopyToLayerOptions extends CopyCommon {
  /** Build context (COPY from the context): links leaving it are refused, modes normalized. */
  context?: string;
  ignore?: Ignore;
  /** An image's root filesystem (COPY --from): links resolve inside it, modes kept. */
  root?: string;
  /** Already-expanded sources, relative to the context or root; wildcards allowed. */
  sources?: string[];
  /** Single files from elsewhere (ADD URL downloads): `name` is their name under a directory destination. */
  files?: { path: string; name: string }[];
}

export type CopyResult = LayerResult;

/** Docker's destination rules: relative to WORKDIR; a trailing `/` (or several sources) means a directory. */
export function destination(dest: string, workdir = '/', many = false): { path: string; isDir: boolean } {
  const isDir = dest.endsWith('/') || dest.endsWith('/.') || dest === '.' || many;
  const abs = posix.resolve('/', workdir || '/', dest);
  return { path: abs.replace(/^\/+/, ''), isDir };
}

const statOf = (s: { size: bigint | number; mtimeNs: bigint; ctimeNs: bigint; ino: bigint }): FileStat => ({ size: Number(s.size), mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs, ino: s.ino });

/**
 * COPY/ADD of local sources as one layer. A file source lands at dest (or dest/name when dest
 * is a directory); a directory source's contents land under dest. Owner 0:0 unless chowned.
 */
export async function copyToLayer(o: CopyToLayerOptions): Promise<CopyResult> {
  const where = toPosition(o.where);
  const owner = o.owner ?? { uid: 0, gid: 0 };
  const scoped = o.root !== undefined;
  const root = o.root ?? o.context;
  const entries: LayerEntry[] = [];
  const stats = new Map<string, FileStat>();
  const exclude = o.excludes?.length ? makeIgnore(o.excludes, where?.file) : undefined;
  const own = { uid: owner.uid, gid: owner.gid, chmod: o.chmod };

  if (o.files?.length) {
    const d = destination(o.dest, o.workdir, o.files.length > 1);
    for (const f of o.files) {
      const s = await stat(f.path, { bigint: true });
      entries.push({ path: d.isDir ? posix.join(d.path, f.name) : d.path, source: { kind: 'file', path: f.path, size: Number(s.size) }, mode: Number(s.mode & 0o7777n), ...own });
    }
    return writeLayerCached(entries, { ...o, stats: new Map(), keyExtra: undefined });
  }

  if (!root) throw new ContextError('copyToLayer needs a context, a root or files', where);
  const sources = o.sources ?? [];
  if (!sources.length) throw new ContextError('Expected at least one COPY source, got none', where);
  const resolved: ResolvedSource[] = [];
  for (const src of sources) resolved.push(...(await resolveSource(root, src, { ignore: o.ignore ?? noIgnore, scoped, where })));
  const d = destination(o.dest, o.workdir, resolved.length > 1);

  for (const r of resolved) {
    if (r.type === 'file') {
      if (exclude?.ignores(r.name)) continue;
      const path = d.isDir ? posix.join(d.path, r.name) : d.path;
      entries.push({ path, source: { kind: 'file', path: r.abs, size: Number(r.stat.size) }, mode: Number(r.stat.mode & 0o7777n), ...own });
      stats.set(r.abs, statOf(r.stat));
      continue;
    }
    // A directory's contents go under dest; dest itself is created with the source dir's mode.
    entries.push({ path: d.path, source: { kind: 'dir' }, mode: Number(r.stat.mode & 0o7777n), ...own });
    const start = r.path === '.' ? '' : r.path;
    const walkIgnore = scoped ? noIgnore : (o.ignore ?? noIgnore);
    for (const e of walkContextSync(root, walkIgnore, { start, exclude })) {
      const rel = start ? e.path.slice(start.length + 1) : e.path;
      const path = posix.join(d.path, rel);
      const base = { path, mode: e.mode, ...own };
      if (e.type === 'dir') entries.push({ ...base, source: { kind: 'dir' } });
      else if (e.type === 'symlink') entries.push({ ...base, source: { kind: 'symlink', target: e.link! } });
      else {
        const linkKey = e.nlink > 1 ? `${e.dev}:${e.ino}` : undefined;
        entries.push({ ...base, source: { kind: 'file', path: e.abs, size: e.size, linkKey } });
        stats.set(e.abs, statOf(e));
      }
    }
  }
  return writeLayerCached(entries, {
    store: o.store,
    epoch: o.epoch,
    compressionLevel: o.compressionLevel,
    onProgress: o.onProgress,
    cacheDir: o.cacheDir,
    preserveModes: scoped,
    statRoot: scoped ? undefined : root,
    stats,
  });
}
