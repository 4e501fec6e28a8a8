import type { InstanceStatus } from '../../model/status.js';
import type { Instance, InstanceRuntime } from '../../model/instance.js';
import type { ProbeConfig } from '../../config/types.js';
import { firstFailure, probesFor } from '../../probe/wait.js';

/**
 * One container's status line: health is what the environment's probes say now (the same probes a
 * deploy waits on), joined with the image's HEALTHCHECK; without probes only the HEALTHCHECK, else `none`.
 */
export async function instanceStatus(i: Instance, runtime: InstanceRuntime, probe: ProbeConfig | undefined, now = Date.now()): Promise<InstanceStatus> {
  const probes = probe ? probesFor(probe) : [];
  const h = i.running ? await runtime.inspectHealth(i).catch(() => undefined) : undefined;
  const bad = i.running && probes.length ? await firstFailure(i, runtime, probes, probe!.timeout) : undefined;
  const x: InstanceStatus = {
    name: i.name, digest: i.digest, sha: i.sha, running: i.running, port: i.port, deployId: i.deployId,
    health: !i.running ? 'stopped' : bad || h?.health === 'unhealthy' ? 'unhealthy' : h?.health ?? (probes.length ? 'healthy' : 'none'),
    uptimeMs: h?.startedAt ? now - Date.parse(h.startedAt) : undefined,
  };
  if (bad) x.check = `${bad.probe}: ${bad.output}`;
  return x;
}
