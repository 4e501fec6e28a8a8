import { parseReference, type Digest } from '@pipeline/core';
import type { SwarmEnvironment } from '../../config/types.js';
import { LABEL } from '../../labels.js';
import type { DeployDiff } from '../../model/diff.js';
import { envHash } from '../docker/container-spec.js';
import type { SwarmApi } from './api.js';
import type { ServiceSpec } from './api-types.js';
import { secretName, serviceName } from './names.js';
import { serving, taskDigest } from './tasks.js';

const json = (v: unknown) => JSON.stringify(v ?? null);

/**
 * What a deploy of `digest` would change per service, without values and without touching the Swarm
 * (secrets compared by their content-addressed names, networks by name): image, env keys, replicas,
 * ports, and the other spec fields by name.
 */
export async function swarmDiff(api: SwarmApi, env: SwarmEnvironment, _app: string, digest: Digest, secrets: Record<string, string>): Promise<DeployDiff> {
  const d: DeployDiff = { image: [], env: { added: [], removed: [], changed: [] }, replicas: [], ports: { from: [], to: [] }, settings: [], changed: false };
  for (const cfg of env.services) {
    const name = serviceName(env.stack, cfg.name);
    const svc = await api.service(name);
    const cur: ServiceSpec | undefined = svc?.Spec;
    const pinned = cfg.image ? parseReference(cfg.image).digest : undefined;
    const to = pinned ?? digest;
    const from = svc ? [...new Set((await api.tasks(svc.ID)).filter(serving).map(taskDigest).filter((x): x is Digest => !!x))].sort() : [];
    d.image.push({ host: name, from, to });
    const keys = Object.keys(cfg.secrets).sort();
    const wantEnv = { ...cfg.env, ...Object.fromEntries(keys.map((k) => [`${k}_FILE`, `/run/secrets/${k}`])) };
    const want = envHash(wantEnv, keys);
    const have = JSON.parse(cur?.Labels[LABEL.envHash] ?? '{}') as Record<string, string>;
    const q = (k: string) => `${cfg.name}.${k}`;
    d.env.added.push(...Object.keys(want).filter((k) => !(k in have)).map(q));
    d.env.removed.push(...Object.keys(have).filter((k) => !(k in want)).map(q));
    d.env.changed.push(...Object.keys(want).filter((k) => k in have && have[k] !== want[k]).map(q));
    d.replicas.push({ host: name, from: cur?.Mode.Replicated.Replicas ?? 0, to: cfg.replicas });
    d.ports.from.push(...(cur?.EndpointSpec?.Ports ?? []).map((p) => `${cfg.name}:${p.PublishedPort ?? ''}:${p.TargetPort}/${p.Protocol}`));
    d.ports.to.push(...cfg.ports.map((p) => `${cfg.name}:${p.published ?? ''}:${p.target}/${p.protocol}`));
    const changed: string[] = [];
    if (!cur) changed.push('(new service)');
    else {
      const c = cur.TaskTemplate;
      if (json(c.ContainerSpec.Args) !== json(cfg.command)) changed.push('command');
      // With the values (a deploy's view) a changed one is a new content-addressed name; without, only the keys count.
      const refs = c.ContainerSpec.Secrets ?? [];
      const known = keys.every((k) => k in secrets);
      const have = known ? refs.map((s) => s.SecretName).sort() : refs.map((s) => s.File.Name).sort();
      const want = known ? keys.map((k) => secretName(env.stack, k, secrets[k])).sort() : keys;
      if (json(have) !== json(want)) changed.push('secrets');
      if (json(c.Placement?.Constraints ?? []) !== json(cfg.placement.constraints) || (c.Placement?.MaxReplicas ?? undefined) !== cfg.placement.maxReplicas) changed.push('placement');
      const lim = c.Resources?.Limits ?? {};
      if ((lim.MemoryBytes ?? undefined) !== cfg.resources.memory || (lim.NanoCPUs ?? undefined) !== (cfg.resources.cpus ? Math.round(cfg.resources.cpus * 1e9) : undefined) || (lim.Pids ?? undefined) !== cfg.resources.pids) changed.push('resources');
      const userLabels = Object.fromEntries(Object.entries(cur.Labels).filter(([k]) => !k.startsWith('dev.pipeline.') && !k.startsWith('com.docker.')).sort());
      if (json(userLabels) !== json(Object.fromEntries(Object.entries(cfg.labels).sort()))) changed.push('labels');
      if (cur.UpdateConfig?.Order !== env.rollout.order) changed.push('update order');
    }
    d.settings!.push({ host: name, changed });
  }
  d.changed = d.image.some((x) => x.from.length !== 1 || x.from[0] !== x.to) || d.env.added.length + d.env.removed.length + d.env.changed.length > 0
    || d.replicas.some((r) => r.from !== r.to) || d.ports.from.join() !== d.ports.to.join() || d.settings!.some((s) => s.changed.length > 0);
  return d;
}
