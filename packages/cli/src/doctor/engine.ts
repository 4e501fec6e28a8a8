import { isPipelineError } from '@pipeline/core';
import { dockerFor } from '@pipeline/build';
import type { EngineEnvironment, HostConfig } from '@pipeline/deploy';
import { check, why, type Check } from './check.js';

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`${what}: no answer in ${ms / 1000} s`)), ms)));
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
};

/** The local engine (DOCKER_HOST, else the socket), only when a build or a test needs it. */
export async function checkEngine(need: string | undefined, env: NodeJS.ProcessEnv): Promise<Check> {
  const name = env.DOCKER_HOST || 'unix:///var/run/docker.sock';
  if (!need) return check('engine', name, 'skip', 'not needed: no image uses executor: engine and no image test runs a container');
  try {
    const v = await within((await dockerFor(env.DOCKER_HOST || undefined)).version(), 10_000, name);
    return check('engine', name, 'ok', `Docker ${v.Version} answers (needed: ${need})`);
  } catch (e) {
    return check('engine', name, 'fail', `needed (${need}) but does not answer: ${why(e)}`, { fix: 'start the engine, or set DOCKER_HOST; in a CI container mount the host\'s socket (never docker-in-docker)' });
  }
}

/** One deploy host, or a Swarm's manager: the engine there answers (unix socket, tcp with its TLS files, or ssh) and, for a Swarm, manages it. */
export async function checkHost(environment: EngineEnvironment, host: HostConfig): Promise<Check> {
  const { DockerTarget, SwarmTarget } = await import('@pipeline/deploy');
  const swarm = environment.target === 'swarm';
  const target = environment.target === 'swarm'
    ? new SwarmTarget(environment.app ?? environment.stack, { ...environment, manager: host })
    : new DockerTarget(environment.app ?? environment.name, { ...environment, hosts: [host] });
  try {
    await within(target.preflight(), 20_000, host.url);
    return check('host', host.url, 'ok', `environments.${environment.name}: the Docker engine answers${swarm ? ' and is a Swarm manager' : ''}`);
  } catch (e) {
    return check('host', host.url, 'fail', `environments.${environment.name}: ${why(e)}`, { fix: isPipelineError(e) && e.hint ? e.hint : 'check the host, its network and its credentials' });
  } finally {
    await target.close().catch(() => {});
  }
}
