import type { Digest, Logger } from '@pipeline/core';
import type { ProbeConfig, RolloutConfig } from '../../config/types.js';
import type { Instance } from '../../model/instance.js';
import type { PlanItem, RolloutPlan } from '../../model/target.js';
import { healthDeadline } from '../../probe/budget.js';
import type { Probe } from '../../probe/probe.js';
import { firstFailure, waitHealthy, type Verdict } from '../../probe/wait.js';
import type { DockerEngines } from './engines.js';
import type { TrafficSwitch } from './proxy/switch.js';

export interface RunContext {
  engines: DockerEngines;
  traffic: TrafficSwitch;
  probe: ProbeConfig;
  probes: Probe[];
  rollout: RolloutConfig;
  image: string;
  sha?: string;
  deployId: string;
  previous?: Digest;
  logger: Logger;
  signal?: AbortSignal;
  /** Called after each step, so tests can interrupt the deploy at every step. */
  onStep?: (step: string) => void | Promise<void>;
}

export type Failure = Extract<Verdict, { ok: false }> & { batch: number };

/** Raised when a batch fails; the orchestrator turns it into a fleet-wide rollback. */
export class BatchFailed extends Error {
  constructor(readonly failure: Failure) {
    super(`batch ${failure.batch + 1}: ${failure.host} ${failure.container}: ${failure.probe} failed: ${failure.output}`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Executes a plan batch by batch; the first failing batch stops the run with BatchFailed. */
export async function runPlan(plan: RolloutPlan, ctx: RunContext): Promise<Instance[]> {
  const started: Instance[] = [];
  for (const [b, batch] of plan.batches.entries()) {
    const before = await ctx.engines.list();
    ctx.logger.info(`batch ${b + 1}/${plan.batches.length}: ${batch.map((i) => `${i.host}${i.stop ? ` ${i.stop}` : ''}${i.start ? ' +new' : ''}`).join(', ')}`);
    const results = await Promise.allSettled(batch.map((item) => runItem(item, before, plan, ctx)));
    for (const r of results) if (r.status === 'fulfilled' && r.value) started.push(r.value);
    const bad = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (bad) {
      const e = bad.reason as unknown;
      if (e instanceof ItemFailed) throw new BatchFailed({ ...e.verdict, batch: b });
      throw e;
    }
    await ctx.onStep?.(`batch-${b + 1}`);
  }
  return started;
}

class ItemFailed extends Error {
  constructor(readonly verdict: Extract<Verdict, { ok: false }>) {
    super(verdict.probe);
  }
}

async function runItem(item: PlanItem, before: Instance[], plan: RolloutPlan, ctx: RunContext): Promise<Instance | undefined> {
  const old = item.stop ? before.find((i) => i.name === item.stop) : undefined;
  if (plan.order === 'stop-first' && old) await retire(old, ctx);
  let fresh: Instance | undefined;
  if (item.start) {
    fresh = await ctx.engines.start({ host: item.host, image: ctx.image, digest: plan.digest, sha: ctx.sha, deployId: ctx.deployId, previous: ctx.previous });
    await ctx.onStep?.('started');
    const v = await waitHealthy(fresh, ctx.engines, ctx.probe, { probes: ctx.probes, signal: ctx.signal, deadline: healthDeadline(ctx.probe, ctx.rollout) });
    if (!v.ok) {
      // Kamal's rule: on error stop the new one (kept stopped for its logs) and re-raise.
      await ctx.engines.stop(fresh);
      throw new ItemFailed(v);
    }
    ctx.logger.info(`${item.host}: ${fresh.name} healthy in ${v.ms} ms`);
    await ctx.traffic.add(fresh);
    await ctx.onStep?.('switched');
  }
  if (plan.order === 'start-first' && old) await retire(old, ctx);
  return fresh;
}

/** Out of rotation, connections drained, then stopped (kept for rollback until pruned). */
async function retire(old: Instance, ctx: RunContext): Promise<void> {
  await ctx.traffic.drain(old, ctx.rollout.drain);
  await ctx.onStep?.('drained');
  await ctx.engines.stop(old);
  await ctx.traffic.remove(old);
  await ctx.onStep?.('stopped');
}

/** After the last batch: keep probing every new instance and compare the proxy's 5xx share to the limit. */
export async function watch(instances: Instance[], ctx: RunContext): Promise<Failure | undefined> {
  if (ctx.rollout.watch <= 0) return undefined;
  const t0 = Date.now();
  const c0 = await ctx.traffic.counters?.();
  const fails = new Map<string, number>();
  while (Date.now() - t0 < ctx.rollout.watch) {
    for (const inst of instances) {
      // One count per instance per round: a passing probe must not reset a failing one's count.
      const bad = await firstFailure(inst, ctx.engines, ctx.probes, ctx.probe.timeout);
      const n = bad ? (fails.get(inst.id) ?? 0) + 1 : 0;
      fails.set(inst.id, n);
      if (bad && n >= ctx.probe.retries) return { ok: false, ms: Date.now() - t0, probe: `${bad.probe} (watch)`, output: bad.output, logs: await ctx.engines.logs(inst, 20), host: inst.host, container: inst.name, batch: -1 };
    }
    if (c0 && ctx.traffic.counters) {
      const c1 = await ctx.traffic.counters();
      const req = c1.requests - c0.requests;
      const err = c1.errors - c0.errors;
      if (req > 0 && err / req > ctx.rollout.maxErrorRate) {
        return { ok: false, ms: Date.now() - t0, probe: 'proxy 5xx rate (watch)', output: `${err} of ${req} responses were 5xx (${((100 * err) / req).toFixed(1)}% > ${(100 * ctx.rollout.maxErrorRate).toFixed(1)}%)`, logs: '', host: 'proxy', container: '-', batch: -1 };
      }
    }
    await sleep(Math.min(ctx.probe.interval, Math.max(0, ctx.rollout.watch - (Date.now() - t0))));
  }
  return undefined;
}
