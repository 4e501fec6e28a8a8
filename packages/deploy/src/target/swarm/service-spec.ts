import { createHash } from 'node:crypto';
import type { Digest } from '@pipeline/core';
import type { ProbeConfig, RolloutConfig, SwarmServiceConfig } from '../../config/types.js';
import { LABEL } from '../../labels.js';
import { envHash } from '../docker/container-spec.js';
import type { ServiceSpec, UpdatePolicy } from './api-types.js';
import { SWARM_LABEL } from './labels.js';
import { serviceName } from './names.js';

export interface ServiceInput {
  stack: string;
  app: string;
  envName: string;
  svc: SwarmServiceConfig;
  /** `registry/repo` and the digest the service runs. */
  image: string;
  digest: Digest;
  sha?: string;
  deployId: string;
  previous?: Digest;
  /** Secret key → the Swarm secret holding its value now. */
  secrets: Record<string, { id: string; name: string }>;
  /** Network name → id (created when missing). */
  networks: Record<string, string>;
  probe: ProbeConfig;
  rollout: RolloutConfig;
}

/** Containers per update step: the rollout's batch, a count or a share of the service's replicas. */
export function parallelism(b: RolloutConfig['batch'], replicas: number): number {
  const n = typeof b === 'number' ? b : Math.ceil((replicas * b.percent) / 100);
  return Math.max(1, Math.min(n, replicas));
}

/**
 * Swarm's own rolling update, from the rollout: parallelism from the batch, order, monitor from the probe's
 * stability window (a task that fails within it fails the update), failure action rollback. A rollback pauses
 * on failure: pipeline then finishes it itself, verified, rather than flapping between two specs.
 */
export function updatePolicies(svc: SwarmServiceConfig, probe: ProbeConfig, rollout: RolloutConfig): { update: UpdatePolicy; rollback: UpdatePolicy } {
  const base = { Delay: 0, Monitor: probe.stability * 1e6, MaxFailureRatio: 0, Order: rollout.order } as const;
  return {
    update: { ...base, Parallelism: parallelism(rollout.batch, svc.replicas), FailureAction: 'rollback' },
    rollback: { ...base, Parallelism: parallelism(rollout.batch, svc.replicas), FailureAction: 'pause' },
  };
}

const VOLATILE: string[] = [LABEL.deployId, LABEL.previous, SWARM_LABEL.specHash];

/** The hash of what the service runs and how (labels that change every deploy left out): equal means nothing to update. */
export function specHash(spec: ServiceSpec): string {
  const strip = (l: Record<string, string> = {}) => Object.fromEntries(Object.entries(l).filter(([k]) => !VOLATILE.includes(k)).sort());
  const { UpdateConfig: _u, RollbackConfig: _r, ...rest } = spec;
  const norm = { ...rest, Labels: strip(spec.Labels), TaskTemplate: { ...spec.TaskTemplate, ContainerSpec: { ...spec.TaskTemplate.ContainerSpec, Labels: strip(spec.TaskTemplate.ContainerSpec.Labels) } } };
  return createHash('sha256').update(JSON.stringify(norm)).digest('hex').slice(0, 24);
}

/** The Engine API service spec pipeline wants: a pure function, tested for exact equality. */
export function serviceSpec(i: ServiceInput): ServiceSpec {
  const s = i.svc;
  const name = serviceName(i.stack, s.name);
  const secretKeys = Object.keys(s.secrets).sort();
  const env: Record<string, string> = { ...s.env };
  for (const k of secretKeys) env[`${k}_FILE`] = `/run/secrets/${k}`;
  const own: Record<string, string> = {
    [SWARM_LABEL.stack]: i.stack,
    [LABEL.app]: i.app,
    [LABEL.env]: i.envName,
    [LABEL.role]: 'app',
    [SWARM_LABEL.service]: s.name,
    [LABEL.digest]: i.digest,
    [LABEL.image]: i.image,
    [LABEL.deployId]: i.deployId,
    [LABEL.envHash]: JSON.stringify(envHash(env, secretKeys)),
    [LABEL.ports]: s.ports.map((p) => `${p.published ?? ''}:${p.target}/${p.protocol}`).join(','),
  };
  if (i.sha) own[LABEL.sha] = i.sha;
  if (i.previous) own[LABEL.previous] = i.previous;
  const policies = updatePolicies(s, i.probe, i.rollout);
  const spec: ServiceSpec = {
    Name: name,
    Labels: { ...s.labels, ...own, [SWARM_LABEL.stackImage]: `${i.image}@${i.digest}` },
    TaskTemplate: {
      ContainerSpec: {
        Image: `${i.image}@${i.digest}`,
        Labels: { ...own },
        Env: Object.entries(env).map(([k, v]) => `${k}=${v}`).sort(),
        StopGracePeriod: i.rollout.drain * 1e6,
      },
      Networks: s.networks.map((n) => ({ Target: i.networks[n] ?? n, Aliases: [s.name] })),
      ForceUpdate: 0,
    },
    Mode: { Replicated: { Replicas: s.replicas } },
    UpdateConfig: policies.update,
    RollbackConfig: policies.rollback,
    EndpointSpec: { Mode: 'vip', Ports: s.ports.map((p) => ({ Protocol: p.protocol, TargetPort: p.target, PublishMode: 'host' as const, ...(p.published ? { PublishedPort: p.published } : {}) })) },
  };
  const c = spec.TaskTemplate.ContainerSpec;
  if (s.command) c.Args = s.command;
  if (secretKeys.length) c.Secrets = secretKeys.map((k) => ({ SecretID: i.secrets[k].id, SecretName: i.secrets[k].name, File: { Name: k, UID: '0', GID: '0', Mode: 0o444 } }));
  const limits: NonNullable<NonNullable<ServiceSpec['TaskTemplate']['Resources']>['Limits']> = {};
  if (s.resources.memory) limits.MemoryBytes = s.resources.memory;
  if (s.resources.cpus) limits.NanoCPUs = Math.round(s.resources.cpus * 1e9);
  if (s.resources.pids) limits.Pids = s.resources.pids;
  if (Object.keys(limits).length) spec.TaskTemplate.Resources = { Limits: limits };
  const pl = s.placement;
  if (pl.constraints.length || pl.preferences.length || pl.maxReplicas) {
    spec.TaskTemplate.Placement = {
      ...(pl.constraints.length ? { Constraints: pl.constraints } : {}),
      ...(pl.preferences.length ? { Preferences: pl.preferences.map((p) => ({ Spread: { SpreadDescriptor: p.slice('spread='.length) } })) } : {}),
      ...(pl.maxReplicas ? { MaxReplicas: pl.maxReplicas } : {}),
    };
  }
  const hash = specHash(spec);
  spec.Labels[SWARM_LABEL.specHash] = hash;
  c.Labels = { ...own, [SWARM_LABEL.specHash]: hash };
  return spec;
}
