import type { Digest } from '@pipeline/core';
import type { DockerEnvironment } from '../../config/types.js';
import type { DeployDiff } from '../../model/diff.js';
import type { Instance } from '../../model/instance.js';
import { envHash } from './container-spec.js';

/** What a deploy would change, without values: compared against the labels of the running containers. */
export function dockerDiff(list: readonly Instance[], hosts: readonly string[], env: DockerEnvironment, digest: Digest): DeployDiff {
  const running = list.filter((i) => i.running);
  const hostEnv: Record<string, string> = env.network === 'host' ? { PORT: '' } : {};
  const want = envHash({ ...env.env, ...hostEnv }, Object.keys(env.secrets));
  const ref = running.find((i) => i.digest !== digest) ?? running[0];
  const have = ref?.envHash ?? {};
  const ignore = (k: string) => env.network === 'host' && k === 'PORT';
  const keys = (o: Record<string, string>) => Object.keys(o).filter((k) => !ignore(k));
  const added = keys(want).filter((k) => !(k in have)).sort();
  const removed = keys(have).filter((k) => !(k in want)).sort();
  const changed = keys(want).filter((k) => k in have && have[k] !== want[k]).sort();
  const image = hosts.map((host) => ({ host, from: [...new Set(running.filter((i) => i.host === host).map((i) => i.digest))].sort(), to: digest }));
  const replicas = hosts.map((host) => ({ host, from: running.filter((i) => i.host === host).length, to: env.replicas }));
  const toPorts = env.ports.map((p) => `${p.host}:${p.container}/${p.protocol}`);
  const fromPorts = ref?.ports ?? [];
  const d: DeployDiff = { image, env: { added, removed, changed }, replicas, ports: { from: fromPorts, to: toPorts }, changed: false };
  d.changed = image.some((x) => x.from.length !== 1 || x.from[0] !== digest) || added.length + removed.length + changed.length > 0 || replicas.some((r) => r.from !== r.to) || fromPorts.join() !== toPorts.join();
  return d;
}
