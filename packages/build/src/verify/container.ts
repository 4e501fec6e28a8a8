import type Docker from 'dockerode';
import { PipelineError } from '@pipeline/core';
import type { Image } from '../model/image.js';
import { dockerFor, leaseImage, type ImageLease } from '../executor/engine.js';
import type { CommandTest, SmokeTest, TestResult } from './types.js';

async function collect(container: Docker.Container): Promise<string> {
  const buf = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  // Without a TTY the engine frames output: 8-byte headers per chunk.
  let out = '';
  for (let i = 0; i + 8 <= buf.length; ) {
    const n = buf.readUInt32BE(i + 4);
    out += buf.subarray(i + 8, i + 8 + n).toString('utf8');
    i += 8 + n;
  }
  return out;
}

/**
 * The engine these tests run containers on. One that does not answer (no socket in a CI plugin
 * container, a stopped daemon) is said plainly, before anything else, instead of a raw ENOENT.
 */
async function engine(dockerHost: string | undefined, test: string): Promise<Docker> {
  const docker = await dockerFor(dockerHost);
  try {
    await docker.ping();
  } catch (e) {
    const where = dockerHost ?? 'unix:///var/run/docker.sock';
    throw new PipelineError('test', `the image test "${test}" runs a container, and no Docker engine answers at ${where}: ${(e as Error).message}`, {
      exitCode: 2,
      cause: e,
      hint: 'structure checks need no engine; command and smoke tests need the host\'s (DOCKER_HOST, or its socket mounted into the CI step)',
    });
  }
  return docker;
}

/** Runs a command in a container of the built image through the host engine; exit code and output checked. */
export async function runCommandTest(image: Image, t: CommandTest, o: { dockerHost?: string } = {}): Promise<TestResult> {
  const name = `run ${typeof t.run === 'string' ? t.run : JSON.stringify(t.run)}`;
  const docker = await engine(o.dockerHost ?? process.env.DOCKER_HOST, name);
  const lease = await leaseImage(docker, image);
  const cmd = typeof t.run === 'string' ? ['/bin/sh', '-c', t.run] : t.run;
  const container = await docker.createContainer({ Image: lease.id, Entrypoint: [], Cmd: cmd, Labels: { 'dev.pipeline.test': 'true' }, HostConfig: { NetworkMode: 'host' } }).catch(async (e: unknown) => {
    await lease.release();
    throw e;
  });
  try {
    await container.start();
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), t.timeoutMs).unref());
    const done = await Promise.race([container.wait() as Promise<{ StatusCode: number }>, timer]);
    if (done === 'timeout') return { name, ok: false, detail: `did not finish within ${t.timeoutMs} ms` };
    const output = await collect(container);
    const tail = output.trim().split('\n').slice(-5).join(' ⏎ ');
    if (done.StatusCode !== t.expectExit) return { name, ok: false, detail: `exit ${done.StatusCode}, expected ${t.expectExit}; output: ${tail}` };
    if (t.expectOutput !== undefined && !output.includes(t.expectOutput)) return { name, ok: false, detail: `output lacks ${JSON.stringify(t.expectOutput)}: ${tail}` };
    return { name, ok: true };
  } finally {
    await container.remove({ force: true }).catch(() => {});
    await lease.release();
  }
}

/** Boots the image's own command and waits for its port (and HTTP path) to answer. */
export async function runSmokeTest(image: Image, t: SmokeTest, o: { dockerHost?: string } = {}): Promise<TestResult> {
  const name = `smoke: port ${t.port}${t.http ? ` ${t.http} → ${t.expectStatus}` : ''}`;
  const docker = await engine(o.dockerHost ?? process.env.DOCKER_HOST, name);
  const lease = await leaseImage(docker, image);
  const container = await docker.createContainer({ Image: lease.id, Labels: { 'dev.pipeline.test': 'true' }, HostConfig: { NetworkMode: 'host', Init: true } }).catch(async (e: unknown) => {
    await lease.release();
    throw e;
  });
  const deadline = Date.now() + t.timeoutMs;
  let last = 'no answer';
  try {
    await container.start();
    while (Date.now() < deadline) {
      const state = (await container.inspect()).State;
      if (!state.Running) return { name, ok: false, detail: `the container exited with ${state.ExitCode}: ${(await collect(container)).trim().split('\n').slice(-5).join(' ⏎ ')}` };
      try {
        const res = await fetch(`http://127.0.0.1:${t.port}${t.http ?? '/'}`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (!t.http || res.status === t.expectStatus) return { name, ok: true };
        last = `status ${res.status}`;
      } catch (e) {
        last = (e as Error).message;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return { name, ok: false, detail: `no healthy answer within ${t.timeoutMs} ms (last: ${last})` };
  } finally {
    await container.remove({ force: true }).catch(() => {});
    await lease.release();
  }
}

/**
 * Keeps the image loaded across an image's container tests (each would load and remove it
 * again); release() removes it after the last. Loads nothing when no engine answers: the first
 * test says so.
 */
export async function holdTestImage(image: Image, o: { dockerHost?: string } = {}): Promise<ImageLease> {
  const docker = await dockerFor(o.dockerHost ?? process.env.DOCKER_HOST);
  if (!(await docker.ping().then(() => true, () => false))) return { id: '', release: async () => {} };
  return leaseImage(docker, image);
}
