import type Docker from 'dockerode';
import type { DockerEnvironment } from '../../config/types.js';
import { LABEL } from '../../labels.js';
import { sha256, shortDigest, type Digest } from '@pipeline/core';

export interface ContainerInput {
  app: string;
  env: DockerEnvironment;
  image: string;
  digest: Digest;
  sha?: string;
  deployId: string;
  previous?: Digest;
  port: number;
  secrets: Record<string, string>;
  /** Unique per container: old and new replicas live side by side. */
  suffix: string;
}

/** Per-key short hashes for plain env values; secret keys are recorded without any derivative of the value. */
export function envHash(env: Record<string, string>, secretKeys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(env).sort()) out[k] = shortDigest(sha256(`${k}=${env[k]}`), 12);
  for (const k of [...secretKeys].sort()) out[k] = 'secret';
  return out;
}

/** The Engine API create body: a pure function, tested for exact equality. */
export function containerSpec(i: ContainerInput): Docker.ContainerCreateOptions & { name: string } {
  const e = i.env;
  const host = e.network === 'host';
  const env = { ...e.env, ...(host ? { PORT: String(i.port) } : {}) };
  const labels: Record<string, string> = {
    [LABEL.app]: i.app,
    [LABEL.env]: e.name,
    [LABEL.role]: 'app',
    [LABEL.digest]: i.digest,
    [LABEL.image]: i.image,
    [LABEL.deployId]: i.deployId,
    [LABEL.port]: String(i.port),
    [LABEL.envHash]: JSON.stringify(envHash(env, Object.keys(i.secrets))),
    [LABEL.ports]: e.ports.map((p) => `${p.host}:${p.container}/${p.protocol}`).join(','),
  };
  if (i.sha) labels[LABEL.sha] = i.sha;
  if (i.previous) labels[LABEL.previous] = i.previous;
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostPort: string }[]> = {};
  if (!host) {
    exposed[`${e.port}/tcp`] = {};
    bindings[`${e.port}/tcp`] = [{ HostPort: String(i.port) }];
  }
  for (const p of e.ports) {
    exposed[`${p.container}/${p.protocol}`] = {};
    bindings[`${p.container}/${p.protocol}`] = [...(bindings[`${p.container}/${p.protocol}`] ?? []), { HostPort: String(p.host) }];
  }
  const hostConfig: Docker.HostConfig = {
    NetworkMode: e.network === 'bridge' ? 'bridge' : e.network,
    RestartPolicy: { Name: e.restart },
    Init: e.init,
    Binds: e.volumes,
  };
  if (Object.keys(bindings).length) hostConfig.PortBindings = bindings;
  if (e.resources.memory) hostConfig.Memory = e.resources.memory;
  if (e.resources.cpus) hostConfig.NanoCpus = Math.round(e.resources.cpus * 1e9);
  if (e.resources.pids) hostConfig.PidsLimit = e.resources.pids;
  if (e.logging) hostConfig.LogConfig = { Type: e.logging.driver, Config: e.logging.options };
  return {
    name: `${i.app}-${e.name}-${shortDigest(i.digest, 8)}-${i.suffix}`,
    Image: `${i.image}@${i.digest}`,
    Env: [...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...Object.entries(i.secrets).map(([k, v]) => `${k}=${v}`)],
    Labels: labels,
    ExposedPorts: exposed,
    HostConfig: hostConfig,
  };
}
