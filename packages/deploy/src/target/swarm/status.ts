import type { ProbeConfig, SwarmServiceConfig } from '../../config/types.js';
import type { Instance } from '../../model/instance.js';
import type { InstanceStatus } from '../../model/status.js';
import type { Probe } from '../../probe/probe.js';
import { firstFailure } from '../../probe/wait.js';
import type { SwarmApi } from './api.js';
import type { SwarmNode, SwarmService } from './api-types.js';
import { serving, SwarmRuntime, taskDigest, taskInstance } from './tasks.js';

/**
 * One service's tasks with their health now (the environment's probes on each task's published port;
 * without a port, Swarm's own view), and a note when its update is not settled.
 */
export async function serviceStatus(api: SwarmApi, svc: SwarmService, cfg: SwarmServiceConfig, nodes: Map<string, SwarmNode>, probe: ProbeConfig, probes: Probe[], all: boolean): Promise<{ instances: InstanceStatus[]; serving: Instance[]; note?: string }> {
  const runtime = new SwarmRuntime(api);
  const tasks = (await api.tasks(svc.ID)).filter((t) => taskDigest(t) && (all || serving(t)));
  const instances: InstanceStatus[] = [];
  const up: Instance[] = [];
  const now = Date.now();
  for (const t of tasks.sort((a, b) => (a.Slot ?? 0) - (b.Slot ?? 0) || a.CreatedAt.localeCompare(b.CreatedAt))) {
    const i = taskInstance(t, svc, nodes, cfg.probePort);
    if (i.running) up.push(i);
    const bad = i.running && i.port && probes.length ? await firstFailure(i, runtime, probes, probe.timeout) : undefined;
    const x: InstanceStatus = {
      name: i.name, digest: i.digest, sha: i.sha, running: i.running, port: i.port, deployId: i.deployId,
      health: !i.running ? 'stopped' : bad ? 'unhealthy' : i.port && probes.length ? 'healthy' : 'none',
      uptimeMs: i.running ? now - Date.parse(t.Status.Timestamp) : undefined,
    };
    if (i.node) x.node = i.node;
    if (bad) x.check = `${bad.probe}: ${bad.output}`;
    else if (!i.running) x.check = `${t.Status.State}${t.Status.Err ? `: ${t.Status.Err}` : ''}`;
    instances.push(x);
  }
  const st = svc.UpdateStatus;
  const want = svc.Spec.Mode.Replicated.Replicas;
  const notes: string[] = [];
  if (st?.State && st.State !== 'completed') notes.push(`update ${st.State}${st.Message ? `: ${st.Message}` : ''}`);
  if (up.length !== want) notes.push(`${up.length}/${want} task(s) running`);
  return { instances, serving: up, note: notes.length ? `${svc.Spec.Name}: ${notes.join('; ')}` : undefined };
}
