import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Layer } from '../model/layer.js';
import { writeAtomic } from '../fs/atomic.js';
import { configBlob } from '../model/image.js';
import { commandArgv } from './config-steps.js';
import { runEnv } from './run-env.js';
import type { RunExecutor } from './run-executor.js';

/**
 * The RUN cache of both executors: a step's layer by what it ran on (the image before it, by config
 * digest: its layers and config), its argv, environment, user and workdir, and how layers are written.
 */
export function runCacheKey(parts: { configDigest: string; argv: string[]; env: string[]; user: string; workdir: string; epoch: number; compressionLevel?: number }): string {
  const p = parts;
  return createHash('sha256').update(JSON.stringify([p.configDigest, p.argv, p.env, p.user, p.workdir, p.epoch, p.compressionLevel ?? 1])).digest('hex');
}

/** The cached result of a step: its layer, `null` for a step that changed nothing, undefined when unknown. */
export async function readCachedRun(cacheDir: string, key: string, store: string): Promise<Layer | null | undefined> {
  try {
    const d = JSON.parse(await readFile(join(cacheDir, 'run', `${key}.json`), 'utf8')) as Pick<Layer, 'digest' | 'diffId' | 'size' | 'mediaType'> | { empty: true };
    if ('empty' in d) return null;
    const { blobSize, openBlob } = await import('../store/blob-store.js');
    if ((await blobSize(store, d.digest)) !== d.size) return undefined;
    return { ...d, open: async () => openBlob(store, d.digest) };
  } catch {
    return undefined;
  }
}

export async function writeCachedRun(cacheDir: string, key: string, l: Layer | undefined): Promise<void> {
  await writeAtomic(join(cacheDir, 'run', `${key}.json`), JSON.stringify(l ? { digest: l.digest, diffId: l.diffId, size: l.size, mediaType: l.mediaType } : { empty: true }));
}

/** Wraps a RUN executor's step with the cache: a hit returns the stored layer without running anything. */
export function withRunCache(run: RunExecutor['run'], o: { cacheDir?: string; store: string; epoch: number; compressionLevel?: number }): RunExecutor['run'] {
  if (!o.cacheDir) return run;
  const cacheDir = o.cacheDir;
  return async (ins, ctx) => {
    const c = ctx.image.config.config;
    const key = runCacheKey({ configDigest: configBlob(ctx.image, 'docker').digest, argv: commandArgv(ins.command, c.Shell), env: runEnv(ctx), user: c.User ?? '', workdir: c.WorkingDir ?? '', epoch: o.epoch, compressionLevel: o.compressionLevel });
    const hit = await readCachedRun(cacheDir, key, o.store);
    if (hit === null) return undefined;
    if (hit) return { layer: hit, cached: true };
    const r = await run(ins, ctx);
    await writeCachedRun(cacheDir, key, r?.layer);
    return r;
  };
}
