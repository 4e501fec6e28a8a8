import { createReadStream } from 'node:fs';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { PipelineError, type Logger, quote } from '@pipeline/core';
import type { RunInstruction } from '../dockerfile/types.js';
import { configBlob, type Image } from '../model/image.js';
import type { Layer } from '../model/layer.js';
import { writeDockerArchive } from '../outputs/docker-archive.js';
import { writeAtomic } from '../fs/atomic.js';
import { commandArgv } from './config-steps.js';
import type { StepContext, StepRunner } from './native.js';
import { extractPaths, type Change } from './changes.js';
import { layerFromChanges } from './diff-layer.js';
import { runEnv } from './run-env.js';

export interface EngineOptions {
  /** DOCKER_HOST-style address; default: dockerode's own resolution of DOCKER_HOST or the local socket. */
  dockerHost?: string;
  store: string;
  cacheDir?: string;
  epoch: number;
  compressionLevel?: number;
  logger: Logger;
}

/** Paths the engine itself writes into every container; never part of a RUN's layer. */
const ENGINE_PATHS = new Set(['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/.dockerenv', '/proc', '/sys', '/dev']);

/** A dockerode client for DOCKER_HOST; dockerode (and ssh2 under it) loads only when an engine is used. */
export async function dockerFor(host?: string): Promise<Docker> {
  const { default: Docker } = await import('dockerode');
  if (!host) return new Docker();
  const u = new URL(host);
  if (u.protocol === 'unix:') return new Docker({ socketPath: u.pathname });
  if (u.protocol === 'tcp:' || u.protocol === 'http:') return new Docker({ host: u.hostname, port: Number(u.port || 2375), protocol: 'http' });
  if (u.protocol === 'https:') return new Docker({ host: u.hostname, port: Number(u.port || 2376), protocol: 'https' });
  if (u.protocol === 'ssh:') return new Docker({ protocol: 'ssh', host: u.hostname, port: Number(u.port || 22), username: u.username || undefined });
  throw new PipelineError('usage', `Expected DOCKER_HOST as unix://, tcp://, https:// or ssh://, got ${quote(host)}`);
}

/** Loads the build's current state into the engine once (by config digest, which is its image ID). */
export async function ensureImage(docker: Docker, image: Image): Promise<string> {
  const id = configBlob(image, 'docker').digest;
  try {
    await docker.getImage(id).inspect();
    return id;
  } catch {
    /* not there yet */
  }
  const dir = await mkdtemp(join(tmpdir(), 'pipeline-load-'));
  try {
    const file = join(dir, 'image.tar');
    await writeDockerArchive(image, file, { flavor: 'docker' });
    const res = (await docker.loadImage(createReadStream(file), { quiet: true })) as unknown as Readable;
    await new Promise<void>((ok, fail) => docker.modem.followProgress(res, (err: Error | null) => (err ? fail(err) : ok())));
    await docker.getImage(id).inspect();
    return id;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * RUN through the host's Docker Engine (its socket, never a nested engine): a container from the
 * current state runs the step; its filesystem changes become a deterministic layer. The rest of
 * the build stays daemonless.
 */
export function engineRunner(o: EngineOptions): NonNullable<StepRunner['run']> {
  let client: Promise<Docker> | undefined;
  return async (ins: RunInstruction, ctx: StepContext) => {
    const docker = await (client ??= dockerFor(o.dockerHost ?? process.env.DOCKER_HOST));
    const c = ctx.image.config.config;
    const argv = commandArgv(ins.command, c.Shell);
    const env = runEnv(ctx);
    const key = createHash('sha256').update(JSON.stringify([configBlob(ctx.image, 'docker').digest, argv, env, c.User ?? '', c.WorkingDir ?? '', o.epoch, o.compressionLevel ?? 1])).digest('hex');
    const cached = o.cacheDir ? await readCached(o.cacheDir, key, o.store) : undefined;
    if (cached) return { layer: cached, cached: true };
    const where = { file: ctx.df.file, ...ins.pos };
    let id: string;
    try {
      id = await ensureImage(docker, ctx.image);
    } catch (e) {
      throw new PipelineError('usage', `RUN needs the host's Docker Engine, which did not answer: ${(e as Error).message}`, { position: where, hint: 'start Docker or set DOCKER_HOST; or use --executor chroot as root in a CI container' });
    }
    const container = await docker.createContainer({
      Image: id,
      Entrypoint: [],
      Cmd: argv,
      Env: env,
      WorkingDir: c.WorkingDir || undefined,
      User: c.User || undefined,
      Labels: { 'dev.pipeline.build-step': 'true' },
      HostConfig: { NetworkMode: 'host', AutoRemove: false },
    });
    const dir = await mkdtemp(join(tmpdir(), 'pipeline-run-'));
    try {
      const logs: string[] = [];
      const stream = await container.attach({ stream: true, stdout: true, stderr: true });
      const sink = { write: (b: Buffer) => { for (const l of b.toString('utf8').split('\n')) if (l) (logs.push(l), o.logger.info(`  │ ${l}`)); return true; } };
      container.modem.demuxStream(stream, sink as unknown as NodeJS.WritableStream, sink as unknown as NodeJS.WritableStream);
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      if (StatusCode !== 0) {
        throw new PipelineError('dockerfile', `RUN failed with exit code ${StatusCode}: ${ins.raw.slice(0, 120)}${logs.length ? `\n${logs.slice(-10).map((l) => `    ${l}`).join('\n')}` : ''}`, { exitCode: 1, position: where });
      }
      const changes = ((await container.changes()) ?? []) as { Path: string; Kind: number }[];
      const list: Change[] = changes
        .filter((ch) => !ENGINE_PATHS.has(ch.Path) && ![...ENGINE_PATHS].some((p) => ch.Path.startsWith(`${p}/`)))
        .map((ch) => ({ path: ch.Path, kind: ch.Kind === 2 ? 'delete' : ch.Kind === 1 ? 'add' : 'modify' }));
      await extractPaths((await container.export()) as unknown as Readable, dir, new Set(list.filter((l) => l.kind !== 'delete').map((l) => l.path)));
      const layer = await layerFromChanges(dir, list, { store: o.store, epoch: o.epoch, compressionLevel: o.compressionLevel });
      if (o.cacheDir) await writeCached(o.cacheDir, key, layer);
      return { layer, cached: false };
    } finally {
      await container.remove({ force: true }).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    }
  };
}

async function readCached(cacheDir: string, key: string, store: string): Promise<Layer | undefined> {
  try {
    const d = JSON.parse(await readFile(join(cacheDir, 'run', `${key}.json`), 'utf8')) as Pick<Layer, 'digest' | 'diffId' | 'size' | 'mediaType'>;
    const { blobSize, openBlob } = await import('../store/blob-store.js');
    if ((await blobSize(store, d.digest)) !== d.size) return undefined;
    return { ...d, open: async () => openBlob(store, d.digest) };
  } catch {
    return undefined;
  }
}

async function writeCached(cacheDir: string, key: string, l: Layer): Promise<void> {
  await writeAtomic(join(cacheDir, 'run', `${key}.json`), JSON.stringify({ digest: l.digest, diffId: l.diffId, size: l.size, mediaType: l.mediaType }));
}

