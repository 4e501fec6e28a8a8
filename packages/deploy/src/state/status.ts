import { shortDigest, type Digest } from '@pipeline/core';
import type { ProbeConfig } from '../config/types.js';
import { firstFailure, probesFor } from '../probe/wait.js';
import type { Instance, LockInfo, Target } from '../target/target.js';
import { lockStatus } from './lock.js';

export interface InstanceStatus {
  name: string;
  digest: Digest;
  sha?: string;
  running: boolean;
  /** From the environment's probes when given (and the image's HEALTHCHECK); `none`: nothing checks it. */
  health: 'healthy' | 'unhealthy' | 'starting' | 'none' | 'stopped';
  /** Why it is unhealthy: the failing probe and its output. */
  check?: string;
  uptimeMs?: number;
  port: number;
  deployId?: string;
}

export interface EnvironmentStatus {
  hosts: Record<string, InstanceStatus[]>;
  /** Running versions and how many instances run each: more than one means an interrupted deploy. */
  versions: { digest: Digest; sha?: string; running: number }[];
  mixed: boolean;
  lock: Record<string, LockInfo | undefined>;
}

/**
 * Per host, per container: digest, git SHA, health, uptime; stopped ones (rollback targets) too when `all`.
 * Health is what the environment's probes say now (the same probes a deploy waits on), joined with the
 * image's HEALTHCHECK; without probes only the HEALTHCHECK, else `none`.
 */
export async function status(target: Target, o: { all?: boolean; probe?: ProbeConfig } = {}): Promise<EnvironmentStatus> {
  const list = await target.list();
  const hosts: Record<string, InstanceStatus[]> = Object.fromEntries(target.hosts.map((h) => [h, []]));
  const now = Date.now();
  const probes = o.probe ? probesFor(o.probe) : [];
  for (const i of list) {
    if (!i.running && !o.all) continue;
    const h = i.running ? await target.inspectHealth(i).catch(() => undefined) : undefined;
    const bad = i.running && probes.length ? await firstFailure(i, target, probes, o.probe!.timeout) : undefined;
    const x: InstanceStatus = {
      name: i.name, digest: i.digest, sha: i.sha, running: i.running, port: i.port, deployId: i.deployId,
      health: !i.running ? 'stopped' : bad || h?.health === 'unhealthy' ? 'unhealthy' : h?.health ?? (probes.length ? 'healthy' : 'none'),
      uptimeMs: h?.startedAt ? now - Date.parse(h.startedAt) : undefined,
    };
    if (bad) x.check = `${bad.probe}: ${bad.output}`;
    hosts[i.host].push(x);
  }
  const versions = summarize(list);
  return { hosts, versions, mixed: versions.length > 1, lock: await lockStatus(target) };
}

function summarize(list: Instance[]): EnvironmentStatus['versions'] {
  const m = new Map<Digest, { digest: Digest; sha?: string; running: number }>();
  for (const i of list) {
    if (!i.running) continue;
    const v = m.get(i.digest) ?? { digest: i.digest, sha: i.sha, running: 0 };
    v.running++;
    m.set(i.digest, v);
  }
  return [...m.values()].sort((a, b) => b.running - a.running || a.digest.localeCompare(b.digest));
}

export function formatStatus(s: EnvironmentStatus): string {
  const lines: string[] = [];
  for (const [h, xs] of Object.entries(s.hosts)) {
    lines.push(h);
    for (const x of xs) lines.push(`  ${x.name}  ${shortDigest(x.digest)}  ${x.sha ?? '-'}  ${x.health}  ${x.uptimeMs !== undefined ? `${Math.round(x.uptimeMs / 1000)}s` : '-'}${x.check ? `  (${x.check})` : ''}`);
  }
  if (s.mixed) lines.push(`MIXED: ${s.versions.map((v) => `${shortDigest(v.digest)}×${v.running}`).join(', ')} (the next deploy, or pipeline status, converges)`);
  return lines.join('\n');
}
