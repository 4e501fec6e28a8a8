import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PipelineError, type Logger } from '@pipeline/core';
import type { RunInstruction } from '../dockerfile/types.js';
import type { Image } from '../model/image.js';
import { commandArgv } from './config-steps.js';
import type { StepContext, StepRunner } from './native.js';
import { unpackImage } from './rootfs.js';
import { snapshot, diffSnapshots } from './snapshot.js';
import { layerFromChanges } from './diff-layer.js';
import { runEnv } from './run-env.js';

export interface ChrootOptions {
  store: string;
  epoch: number;
  compressionLevel?: number;
  logger: Logger;
}

// Fixed script; the root, workdir, user and argv arrive as positional parameters, never spliced in.
// The mount namespace (unshare -m) drops /proc and /dev mounts when the step ends, even on a kill.
const STEP = [
  'root="$1"; wd="$2"; spec="$3"; shift 3',
  'mkdir -p "$root/proc" "$root/dev" "$root$wd"',
  'mount -t proc proc "$root/proc"',
  'mount --rbind /dev "$root/dev"',
  'if [ -n "$spec" ]; then exec chroot --userspec="$spec" "$root" /bin/sh -c \'cd "$0" && exec "$@"\' "$wd" "$@"; fi',
  'exec chroot "$root" /bin/sh -c \'cd "$0" && exec "$@"\' "$wd" "$@"',
].join('\n');

/**
 * Daemonless RUN for CI containers running as root (the kaniko case): the stage's filesystem is
 * unpacked into a private root, the step runs chrooted, and the snapshot diff becomes the layer.
 */
export function chrootRunner(o: ChrootOptions): NonNullable<StepRunner['run']> {
  const roots = new Map<number, { dir: string; applied: Image['layers'] }>();
  process.once('exit', () => {
    for (const r of roots.values()) void rm(r.dir, { recursive: true, force: true });
  });
  return async (ins: RunInstruction, ctx: StepContext) => {
    const where = { file: ctx.df.file, ...ins.pos };
    if (process.getuid?.() !== 0) {
      throw new PipelineError('usage', 'the chroot executor runs RUN steps as root (inside a CI container) and this process is not root', { position: where, hint: 'use --executor engine to run RUN steps through the host Docker Engine' });
    }
    // One live root per stage: later steps apply only the layers added since the last RUN.
    let state = roots.get(ctx.stage.index);
    const layers = ctx.image.layers;
    if (!state || layers.slice(0, state.applied.length).some((l, i) => l.digest !== state!.applied[i].digest)) {
      if (state) await rm(state.dir, { recursive: true, force: true });
      state = { dir: await mkdtemp(join(tmpdir(), 'pipeline-chroot-')), applied: [] };
      roots.set(ctx.stage.index, state);
    }
    const fresh = layers.slice(state.applied.length);
    if (fresh.length) await unpackImage({ config: ctx.image.config, layers: fresh }, state.dir, { owners: true });
    state.applied = [...layers];
    const c = ctx.image.config.config;
    const argv = commandArgv(ins.command, c.Shell);
    const wd = c.WorkingDir || '/';
    const before = await snapshot(state.dir);
    const { execa } = await import('execa');
    const r = await execa('unshare', ['-m', '--', '/bin/sh', '-c', STEP, 'step', state.dir, wd, c.User ?? '', ...argv], {
      env: Object.fromEntries(runEnv(ctx).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
      extendEnv: false,
      reject: false,
      all: true,
    });
    for (const l of (r.all ?? '').split('\n')) if (l) o.logger.info(`  │ ${l}`);
    if (r.exitCode !== 0) {
      const tail = (r.all ?? '').split('\n').filter(Boolean).slice(-10).map((l) => `    ${l}`).join('\n');
      throw new PipelineError('dockerfile', `RUN failed with exit code ${r.exitCode}: ${ins.raw.slice(0, 120)}${tail ? `\n${tail}` : ''}`, { exitCode: 1, position: where });
    }
    const changes = diffSnapshots(before, await snapshot(state.dir));
    const layer = await layerFromChanges(state.dir, changes, { store: o.store, epoch: o.epoch, compressionLevel: o.compressionLevel });
    state.applied = [...layers, layer];
    return { layer, cached: false };
  };
}
