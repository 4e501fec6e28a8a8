import type { ProbeConfig, RolloutConfig } from '../config/types.js';

/** Scheduling slack on top of the probe budget: container start-up, a loaded machine. */
export const BUDGET_MARGIN_MS = 5000;

/**
 * The longest a healthy version can need: failures count after the start period, `retries` of them
 * (each a probe of up to `timeout`, then an interval) fail it, then it must hold for the stability window.
 */
export function probeBudget(p: Pick<ProbeConfig, 'startPeriod' | 'retries' | 'interval' | 'timeout' | 'stability'>): number {
  return p.startPeriod + p.retries * (p.interval + p.timeout) + p.stability + BUDGET_MARGIN_MS;
}

/** How long a batch may take to become stably healthy: `rollout.deadline` when set, else the probe budget. */
export function healthDeadline(probe: ProbeConfig, rollout: Pick<RolloutConfig, 'deadline'>): number {
  return rollout.deadline ?? probeBudget(probe);
}
