import { shortDigest, type Digest } from '@pipeline/core';
import type { Instance } from '../model/instance.js';
import type { EnvironmentStatus, InstanceStatus } from '../model/status.js';
import type { Target } from '../model/target.js';

export type { EnvironmentStatus, InstanceStatus };

/**
 * Per place, per instance: digest, git SHA, health (the environment's probes, run now, joined with the
 * image's HEALTHCHECK), uptime; stopped ones (rollback targets) too when `all`; who holds the lock.
 */
export function status(target: Target, o: { all?: boolean } = {}): Promise<EnvironmentStatus> {
  return target.status(o);
}

/** Running versions and how many instances run each, most first. */
export function summarize(list: readonly Instance[]): EnvironmentStatus['versions'] {
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
    for (const x of xs) lines.push(`  ${x.name}${x.node ? ` on ${x.node}` : ''}  ${shortDigest(x.digest)}  ${x.sha ?? '-'}  ${x.health}  ${x.uptimeMs !== undefined ? `${Math.round(x.uptimeMs / 1000)}s` : '-'}${x.check ? `  (${x.check})` : ''}`);
  }
  for (const n of s.notes ?? []) lines.push(n);
  if (s.mixed) lines.push(`MIXED: ${s.versions.map((v) => `${shortDigest(v.digest)}×${v.running}`).join(', ')} (the next deploy, or pipeline status, converges)`);
  return lines.join('\n');
}
