import type { Digest } from '@pipeline/core';
import type { RolloutConfig } from '../../config/types.js';
import type { Instance } from '../../model/instance.js';
import type { PlanItem, RolloutPlan } from '../../model/target.js';

/** What the fleet should run: `replicas` instances of `digest` on each host. */
export interface FleetGoal { digest: Digest; hosts: readonly string[]; replicas: number }

export function batchSize(b: RolloutConfig['batch'], total: number): number {
  const n = typeof b === 'number' ? b : Math.ceil((total * b.percent) / 100);
  return Math.max(1, Math.min(n, Math.max(total, 1)));
}

/**
 * Converges whatever runs now (one version, mixed after an interrupted deploy, too many or too few)
 * to `replicas` healthy instances of `digest` on every host. Unhealthy and foreign-digest instances
 * are replaced first; a surplus is stopped last; hosts are walked in their configured order.
 */
export function planRollout(instances: readonly Instance[], want: FleetGoal, cfg: Pick<RolloutConfig, 'batch' | 'order'>): RolloutPlan {
  const items: PlanItem[] = [];
  const keep: string[] = [];
  for (const host of want.hosts) {
    const running = instances.filter((i) => i.host === host && i.running);
    const good = running.filter((i) => i.digest === want.digest && i.health !== 'unhealthy').slice(0, want.replicas);
    keep.push(...good.map((i) => i.name));
    const rank = (i: Instance) => (i.health === 'unhealthy' ? 0 : i.digest === want.digest ? 2 : 1);
    const old = running.filter((i) => !good.includes(i)).sort((a, b) => rank(a) - rank(b) || a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
    const need = want.replicas - good.length;
    for (let k = 0; k < Math.max(need, old.length); k++) {
      const item: PlanItem = { host, start: k < need };
      if (old[k]) item.stop = old[k].name;
      items.push(item);
    }
  }
  const size = batchSize(cfg.batch, want.replicas * want.hosts.length);
  const batches: PlanItem[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return { digest: want.digest, order: cfg.order, batches, keep };
}
