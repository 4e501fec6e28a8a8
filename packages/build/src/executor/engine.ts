import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DockerfileError, PipelineError, type Logger, type SourcePosition } from '@pipeline/core';
import type { RunInstruction } from '../dockerfile/types.js';
import { commandArgv } from './config-steps.js';
import type { StepContext } from './native.js';
import { extractOneFile, extractPaths, type Change } from './changes.js';
import { layerFromChanges } from './diff-layer.js';
import { runEnv } from './run-env.js';
import { isRuntimePath, mountPointChanges } from './run-mounts.js';
import { imageIndex } from '../layer/index.js';
import { StepOutput, runFailed, runInterrupted, atRunLine } from './run-output.js';
import { EngineSession, dockerFor } from './engine-image.js';
import type { RunExecutor } from './run-executor.js';
import { RUN_USER_HINT } from './run-user.js';

export { dockerFor, ensureImage, leaseImage, type ImageLease } from './engine-image.js';

export interface EngineOptions {
  /** DOCKER_HOST-style address; default: dockerode's own resolution of DOCKER_HOST or the local socket. */
  dockerHost?: string;
  store: string;
  /** Where image indexes are kept (layer/layer-index.ts). */
  cacheDir?: string;
  epoch: number;
  compressionLevel?: number;
  logger: Logger;
  /** Aborts the running step (Ctrl-C): its container is killed; dispose() removes what the build made. */
  signal?: AbortSignal;
}

/** `GET /containers/{id}/changes` as a list, whatever the engine sent: `null` (no change) or JSON text included. */
export function changeList(raw: unknown): { Path: string; Kind: number }[] {
  let v = raw;
  if (Buffer.isBuffer(v)) v = v.toString('utf8');
  if (typeof v === 'string') v = v.trim() ? JSON.parse(v) : null;
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw new Error(`the engine answered the container's changes with ${JSON.stringify(v).slice(0, 80)}`);
  return v.filter((c): c is { Path: string; Kind: number } => !!c && typeof c.Path === 'string' && typeof c.Kind === 'number');
}

/**
 * RUN through the host's Docker Engine (its socket, never a nested engine): a container from the
 * current state runs the step; its filesystem changes become a deterministic layer. The rest of
 * the build stays daemonless. Everything made in the engine is labelled and removed by dispose().
 */
export function engineExecutor(o: EngineOptions): RunExecutor {
  let session: Promise<EngineSession> | undefined;
  const open = () =>
    (session ??= (async () => {
      const s = new EngineSession(await dockerFor(o.dockerHost ?? process.env.DOCKER_HOST), o.logger);
      await s.sweep();
      return s;
    })());

  const step = async (ins: RunInstruction, ctx: StepContext) => {
    const where = { file: ctx.df.file, ...ins.pos };
    if (o.signal?.aborted) throw runInterrupted(ins, where, o.signal);
    const c = ctx.image.config.config;
    let s: EngineSession;
    try {
      s = await open();
    } catch (e) {
      if (e instanceof PipelineError) throw e;
      throw new PipelineError('usage', `RUN needs the host's Docker Engine, which did not answer: ${(e as Error).message}`, { position: where, hint: 'start Docker or set DOCKER_HOST; or use --executor chroot as root in a CI container' });
    }
    let id: string;
    try {
      id = await s.imageFor(ctx.image);
    } catch (e) {
      throw new PipelineError('usage', `RUN: the Docker Engine refused the image built so far: ${(e as Error).message}`, { position: where, hint: 'a base image the engine cannot load is malformed (or hostile)' });
    }
    const container = await s.create({
      Image: id,
      Entrypoint: [],
      Cmd: commandArgv(ins.command, c.Shell),
      Env: runEnv(ctx),
      WorkingDir: c.WorkingDir || undefined,
      User: c.User || undefined,
      HostConfig: { NetworkMode: 'host', AutoRemove: false },
    });
    const dir = await mkdtemp(join(tmpdir(), 'pipeline-run-'));
    try {
      await runContainer(container, ins, where, o, c.User ?? '');
      const list: Change[] = changeList(await container.changes())
        .filter((ch) => !isRuntimePath(ch.Path))
        .map((ch) => ({ path: ch.Path, kind: ch.Kind === 2 ? 'delete' : ch.Kind === 1 ? 'add' : 'modify' }));
      const wanted = new Set(list.filter((l) => l.kind !== 'delete').map((l) => l.path));
      const owners = new Map<string, { uid: number; gid: number }>();
      if (wanted.size) {
        const got = await extractPaths((await container.export()) as unknown as Readable, dir, wanted);
        for (const [p, owner] of got.owners) owners.set(p, owner);
        // A new hard link to a file the step left alone: the layer holds it as a file (Docker does too).
        for (const m of got.missing) owners.set(m.path, await extractOneFile((await container.getArchive({ path: m.target })) as unknown as Readable, dir, m.path));
      }
      // The mount points the engine made for the step (its init layer hides them from the changes).
      const index = await imageIndex(ctx.image, o.cacheDir);
      for (const m of mountPointChanges((p) => !index.lookup(p.slice(1)))) {
        await mkdir(join(dir, m.path), { recursive: true, mode: 0o755 });
        owners.set(m.path, { uid: 0, gid: 0 });
        list.push(m);
      }
      // A step that changed nothing adds no layer (BuildKit: an empty layer in the history only).
      if (!list.length) return undefined;
      const layer = await layerFromChanges(dir, list, { store: o.store, epoch: o.epoch, compressionLevel: o.compressionLevel, cacheDir: o.cacheDir, ownerOf: (p) => owners.get(p) });
      return { layer, cached: false };
    } finally {
      s.remove(container);
      await rm(dir, { recursive: true, force: true });
    }
  };

  // The engine or this machine failing a step (an API error, no space left) says so at its line.
  const run = atRunLine(step);

  return {
    run,
    async dispose() {
      if (!session) return;
      const s = await session.catch(() => undefined);
      session = undefined;
      await s?.dispose();
    },
  };
}

/** Starts the step's container, streams its output, waits for it; Ctrl-C kills it. Throws on a failed step. */
async function runContainer(container: Docker.Container, ins: RunInstruction, where: SourcePosition, o: EngineOptions, userSpec: string): Promise<void> {
  const out = new StepOutput(o.logger);
  const stream = await container.attach({ stream: true, stdout: true, stderr: true });
  const sink = { write: (b: Buffer) => (out.write(b), true) } as unknown as NodeJS.WritableStream;
  container.modem.demuxStream(stream, sink, sink);
  const ended = new Promise<void>((ok) => (stream.once('end', ok), stream.once('close', ok), stream.once('error', () => ok())));
  const kill = () => void container.kill().catch(() => {});
  o.signal?.addEventListener('abort', kill, { once: true });
  try {
    try {
      await container.start();
    } catch (e) {
      const why = (e as Error).message.replace(/^\(HTTP code \d+\) [a-z ]+ - /, '').trim();
      // USER names nobody the image knows: bad input, as the chroot executor says it.
      const user = /unable to find (user|group) [^:]+: no matching entries in \S+ file/.exec(why);
      if (user) throw new DockerfileError(`RUN as USER ${userSpec}: ${user[0].replace(/in \S+ file$/, `in the image's /etc/${user[1] === 'user' ? 'passwd' : 'group'}`)}`, where, RUN_USER_HINT);
      // The engine could not start the command (not found, not executable): the step failed.
      throw new PipelineError('dockerfile', `RUN could not start: ${why}`, { exitCode: 1, position: where });
    }
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    await Promise.race([ended, new Promise((r) => setTimeout(r, 2000).unref())]);
    out.end();
    if (o.signal?.aborted) throw runInterrupted(ins, where, o.signal);
    if (StatusCode !== 0) throw runFailed(ins, where, StatusCode, out);
  } finally {
    o.signal?.removeEventListener('abort', kill);
    (stream as unknown as Readable).destroy?.();
  }
}
