import { PipelineError, DockerfileError, type Logger } from '@pipeline/core';
import type { RunInstruction } from '../dockerfile/types.js';
import type { Layer } from '../model/layer.js';
import { commandArgv } from './config-steps.js';
import type { StepContext } from './native.js';
import { privateRoot, unpackImage, type PrivateRoot } from './rootfs.js';
import { snapshot, diffSnapshots, type Snapshot } from './snapshot.js';
import { layerFromChanges } from './diff-layer.js';
import { runEnv } from './run-env.js';
import { resolveRunUser, RunUserError, RUN_USER_HINT } from './run-user.js';
import { prepareRoot } from './chroot-root.js';
import { missingHostTools, runInRoot } from './chroot-step.js';
import { runInterrupted, atRunLine } from './run-output.js';
import { mountPointChanges } from './run-mounts.js';
import type { RunExecutor } from './run-executor.js';

export interface ChrootOptions {
  store: string;
  /** Where image indexes are kept (layer/layer-index.ts). */
  cacheDir?: string;
  epoch: number;
  compressionLevel?: number;
  logger: Logger;
  /** Aborts the running step (Ctrl-C): its processes are killed, the roots removed by dispose(). */
  signal?: AbortSignal;
}

interface LiveRoot {
  priv: PrivateRoot;
  /** The layers the root holds, bottom first. */
  applied: readonly Layer[];
  /** The root as the last step left it; undefined once layers were unpacked since. */
  snap?: Snapshot;
}

/**
 * Daemonless RUN for CI containers running as root (the kaniko case): the stage's filesystem is
 * unpacked into a private root, the step runs there in its own mount and PID namespaces (chrooted,
 * as USER, with Docker's default capabilities), and the snapshot diff becomes the layer.
 * A chroot is not a security boundary: the image's own programs run as root on this machine.
 */
export function chrootExecutor(o: ChrootOptions): RunExecutor {
  const roots = new Map<number, LiveRoot>();
  const onExit = () => roots.forEach((r) => r.priv.disposeSync());
  process.once('exit', onExit);

  const step = async (ins: RunInstruction, ctx: StepContext) => {
    const where = { file: ctx.df.file, ...ins.pos };
    if (process.getuid?.() !== 0) {
      throw new PipelineError('usage', 'the chroot executor runs RUN steps as root (inside a CI container) and this process is not root', { position: where, hint: 'use --executor engine to run RUN steps through the host Docker Engine' });
    }
    const missing = missingHostTools();
    if (missing.length) {
      throw new PipelineError('usage', `the chroot executor needs ${missing.join(', ')} on this machine and cannot find ${missing.length > 1 ? 'them' : 'it'}`, { position: where, hint: 'install util-linux, mount and GNU findutils (apt-get install util-linux mount findutils; apk add util-linux findutils), or use --executor engine' });
    }
    if (o.signal?.aborted) throw runInterrupted(ins, where, o.signal);
    // One live root per stage: later steps apply only the layers added since the last RUN.
    let state = roots.get(ctx.stage.index);
    const layers = ctx.image.layers;
    if (!state || state.applied.length > layers.length || state.applied.some((l, i) => l.digest !== layers[i].digest)) {
      await state?.priv.dispose();
      state = { priv: await privateRoot('pipeline-chroot-'), applied: [] };
      roots.set(ctx.stage.index, state);
    }
    const fresh = layers.slice(state.applied.length);
    if (fresh.length) {
      await unpackImage({ config: ctx.image.config, layers: fresh }, state.priv.root, { owners: true, where });
      state.snap = undefined;
    }
    state.applied = layers;
    const root = state.priv.root;
    const c = ctx.image.config.config;
    const before = state.snap ?? (await snapshot(root));
    const prepared = await prepareRoot(root, c.WorkingDir || '/', where);
    let user;
    try {
      user = resolveRunUser(c.User ?? '', prepared.passwd, prepared.group);
    } catch (e) {
      if (e instanceof RunUserError) throw new DockerfileError(`RUN as USER ${c.User}: ${e.message}`, where, RUN_USER_HINT);
      throw e;
    }
    const env = runEnv(ctx);
    if (!env.some((kv) => kv.startsWith('HOME='))) env.push(`HOME=${user.home}`);
    await runInRoot({ root, mounts: prepared.mounts, workdir: c.WorkingDir || '/', user, env, argv: commandArgv(ins.command, c.Shell), ins, where, logger: o.logger, signal: o.signal });
    const after = await snapshot(root);
    // The mount points made for the step stay in its layer, as BuildKit leaves them.
    const changes = [...diffSnapshots(before, after), ...mountPointChanges((p) => prepared.created.includes(p))];
    state.snap = after;
    // A step that changed nothing adds no layer (BuildKit: an empty layer in the history only).
    if (!changes.length) return undefined;
    const layer = await layerFromChanges(root, changes, { store: o.store, epoch: o.epoch, compressionLevel: o.compressionLevel, cacheDir: o.cacheDir });
    state.applied = [...layers, layer];
    return { layer, cached: false };
  };

  // The engine or this machine failing a step (an API error, no space left) says so at its line.
  const run = atRunLine(step);

  return {
    run,
    async dispose() {
      process.off('exit', onExit);
      const all = [...roots.values()];
      roots.clear();
      await Promise.all(all.map((r) => r.priv.dispose()));
    },
  };
}
