import { isDigest, type Digest } from '@pipeline/core';
import { LABEL } from '../../labels.js';
import type { Instance, InstanceHealth, InstanceRuntime } from '../../model/instance.js';
import type { SwarmApi } from './api.js';
import type { SwarmNode, SwarmService, SwarmTask } from './api-types.js';

/** The digest a task runs, from its image reference (`repo@sha256:…`, with or without a tag). */
export function taskDigest(t: SwarmTask): Digest | undefined {
  const d = t.Spec.ContainerSpec.Image.split('@')[1];
  return d && isDigest(d) ? (d as Digest) : undefined;
}

/** Running now and meant to: the tasks that serve. */
export const serving = (t: SwarmTask) => t.DesiredState === 'running' && t.Status.State === 'running';

/**
 * A task as an Instance: `host` is the service, `address` its node's, `port` where the task publishes the
 * probe port on that node (host mode), 0 when it publishes none.
 */
export function taskInstance(t: SwarmTask, svc: SwarmService, nodes: Map<string, SwarmNode>, probePort: number | undefined): Instance {
  const l = t.Spec.ContainerSpec.Labels ?? {};
  const published = t.Status.PortStatus?.Ports?.find((p) => p.TargetPort === probePort && p.Protocol === 'tcp')?.PublishedPort;
  const node = t.NodeID ? nodes.get(t.NodeID) : undefined;
  return {
    host: svc.Spec.Name,
    id: t.ID,
    name: `${svc.Spec.Name}.${t.Slot ?? t.NodeID ?? '?'}`,
    digest: taskDigest(t) ?? ('sha256:' + '0'.repeat(64)) as Digest,
    image: t.Spec.ContainerSpec.Image.split('@')[0].replace(/:[^/:]+$/, ''),
    sha: l[LABEL.sha],
    deployId: l[LABEL.deployId],
    previous: isDigest(l[LABEL.previous] ?? '') ? (l[LABEL.previous] as Digest) : undefined,
    running: serving(t),
    state: t.Status.State,
    startedAt: t.Status.State === 'running' ? t.Status.Timestamp : undefined,
    createdAt: t.CreatedAt,
    ...(node?.Description?.Hostname ? { node: node.Description.Hostname } : {}),
    address: node?.Status.Addr && node.Status.Addr !== '0.0.0.0' ? node.Status.Addr : '127.0.0.1',
    port: published ?? 0,
    envHash: JSON.parse(l[LABEL.envHash] ?? '{}') as Record<string, string>,
    ports: (svc.Spec.EndpointSpec?.Ports ?? []).map((p) => `${p.PublishedPort ?? ''}:${p.TargetPort}/${p.Protocol}`),
  };
}

/**
 * What probes may ask of a task: its logs and state through the manager. No exec: the task's container
 * is on a node whose engine pipeline does not reach (the config refuses exec probes for swarm).
 */
export class SwarmRuntime implements InstanceRuntime {
  constructor(private readonly api: SwarmApi) {}

  logs(inst: Instance, lines: number): Promise<string> {
    return this.api.taskLogs(inst.id, lines);
  }

  exec(): Promise<{ exitCode: number; output: string }> {
    return Promise.reject(new Error('exec probes are not available with target: swarm'));
  }

  /** Swarm reports a task whose HEALTHCHECK has not passed yet as `starting`, and replaces an unhealthy one. */
  async inspectHealth(inst: Instance): Promise<InstanceHealth> {
    const t = ((await this.api.docker.getTask(inst.id).inspect()) as unknown) as SwarmTask;
    const health = t.Status.State === 'starting' ? 'starting' : t.Status.State === 'running' ? 'healthy' : undefined;
    return { running: serving(t) || (t.DesiredState === 'running' && t.Status.State === 'starting'), health, log: t.Status.Err ?? t.Status.Message, exitCode: t.Status.ContainerStatus?.ExitCode, startedAt: inst.startedAt };
  }
}
