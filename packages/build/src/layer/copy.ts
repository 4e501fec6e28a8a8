import { stat } from 'node:fs/promises';
import { ContextError, type SourcePosition } from '@pipeline/core';
import { makeIgnore, noIgnore, type Ignore } from '../context/dockerignore.js';
import { hasGlob } from '../context/go-match.js';
import { resolveSource, type ResolvedSource } from '../context/resolve.js';
import { walkContextSync } from '../context/walk.js';
import { FsView, FsViewError } from '../fs/view.js';
import type { FsIndex } from '../fs/image-index.js';
import type { FileStat } from '../context/stat-cache.js';
import { writeLayerCached, type LayerResult } from './cached.js';
import { destPath, planCopy, type CopyChild, type CopyItem } from './copy-plan.js';

/** A Dockerfile position in either shape callers have at hand. */
export type Where = SourcePosition | { file: string; pos: { line: number; column: number } };

export const toPosition = (w?: Where): SourcePosition | undefined => (w && 'pos' in w ? { file: w.file, line: w.pos.line, column: w.pos.column } : w);

export interface CopyCommon {
  /** Destination as written (expanded): relative to `workdir`; a trailing `/` makes it a directory. */
  dest: string;
  workdir?: string;
  /** The image's filesystem before this instruction: destinations resolve in it (see copy-plan.ts). */
  fs: FsIndex;
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
  /** Build context (COPY from the context): links leaving it are refused; files are 0:0, modes kept. */
  context?: string;
  ignore?: Ignore;
  /** An image's root filesystem on disk (COPY --from): links resolve inside it. */
  root?: string;
  /** Owners of the root's paths (its index): an unpacked root only has them when unpacked as root. */
  rootOwner?: (path: string) => { uid: number; gid: number } | undefined;
  /** Already-expanded sources, relative to the context or root; wildcards allowed. */
  sources?: string[];
  /** Single files from elsewhere (ADD URL downloads): `name` is their name under a directory destination. */
  files?: { path: string; name: string }[];
}

export type CopyResult = LayerResult;

const statOf = (s: { size: bigint | number; mtimeNs: bigint; ctimeNs: bigint; ino: bigint }): FileStat => ({ size: Number(s.size), mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs, ino: s.ino });

/** Turns a planning refusal (a directory onto a symlink…) into the user's error at the Dockerfile line. */
export function planError(e: unknown, where?: Where): never {
  if (e instanceof FsViewError) throw new ContextError(`COPY/ADD: ${e.message}`, toPosition(where), "Docker's builder refuses this too: pick a destination that is a directory in the image");
  throw e;
}

/** Sources as copy items: files as they are, directories with their walk (parents first). */
export async function copyItems(o: CopyToLayerOptions, stats: Map<string, FileStat>): Promise<CopyItem[]> {
  const where = toPosition(o.where);
  if (o.files?.length) {
    const out: CopyItem[] = [];
    for (const f of o.files) {
      const s = await stat(f.path, { bigint: true });
      out.push({ name: f.name, type: 'file', mode: Number(s.mode & 0o7777n), uid: 0, gid: 0, source: { kind: 'file', path: f.path, size: Number(s.size) } });
    }
    return out;
  }
  const scoped = o.root !== undefined;
  const root = o.root ?? o.context;
  if (!root) throw new ContextError('copyToLayer needs a context, a root or files', where);
  const sources = o.sources ?? [];
  if (!sources.length) throw new ContextError('Expected at least one COPY source, got none', where);
  const exclude = o.excludes?.length ? makeIgnore(o.excludes, where?.file) : undefined;
  const ownerOf = (path: string) => (scoped ? o.rootOwner?.(path) : undefined) ?? { uid: 0, gid: 0 };
  const walkIgnore = scoped ? noIgnore : (o.ignore ?? noIgnore);
  const items: CopyItem[] = [];
  for (const src of sources) {
    // A wildcard that matches nothing is no error (BuildKit's AllowEmptyWildcard): Docker's
    // `COPY package.json yarn.lock* ./` must work without a yarn.lock.
    const resolved: ResolvedSource[] = await resolveSource(root, src, { ignore: o.ignore ?? noIgnore, scoped, where, allowEmpty: hasGlob(src) });
    for (const r of resolved) {
      const meta = { mode: Number(r.stat.mode & 0o7777n), ...ownerOf(r.path) };
      if (r.type === 'file') {
        if (exclude?.ignores(r.name)) continue;
        items.push({ name: r.name, type: 'file', ...meta, source: { kind: 'file', path: r.abs, size: Number(r.stat.size) } });
        stats.set(r.abs, statOf(r.stat));
        continue;
      }
      const start = r.path === '.' ? '' : r.path;
      const children = function* (): Iterable<CopyChild> {
        for (const e of walkContextSync(root, walkIgnore, { start, exclude })) {
          const rel = start ? e.path.slice(start.length + 1) : e.path;
          const m = { rel, mode: e.mode, ...ownerOf(e.path) };
          if (e.type === 'dir') yield { ...m, type: 'dir', source: { kind: 'dir' } };
          else if (e.type === 'symlink') yield { ...m, type: 'symlink', source: { kind: 'symlink', target: e.link! } };
          else {
            stats.set(e.abs, statOf(e));
            yield { ...m, type: 'file', source: { kind: 'file', path: e.abs, size: e.size, linkKey: e.nlink > 1 ? `${e.dev}:${e.ino}` : undefined } };
          }
        }
      };
      items.push({ name: r.name, type: 'dir', ...meta, children });
    }
  }
  return items;
}

/**
 * COPY/ADD of local sources (the context, an image's root, downloaded files) as one layer: the
 * destination rules of copy-plan.ts applied over the image's filesystem, modes kept, owners 0:0
 * from the context or as the source image has them, unless --chown.
 */
export async function copyToLayer(o: CopyToLayerOptions): Promise<CopyResult> {
  const stats = new Map<string, FileStat>();
  const items = await copyItems(o, stats);
  const view = new FsView(o.fs);
  let entries;
  try {
    entries = planCopy(view, destPath(o.dest, o.workdir), items, { owner: o.owner, chmod: o.chmod });
  } catch (e) {
    planError(e, o.where);
  }
  return writeLayerCached(entries, {
    store: o.store,
    epoch: o.epoch,
    compressionLevel: o.compressionLevel,
    onProgress: o.onProgress,
    cacheDir: o.cacheDir,
    statRoot: o.context && !o.root && !o.files ? o.context : undefined,
    stats,
  });
}
