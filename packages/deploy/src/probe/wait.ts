import type { ProbeConfig } from '../config/types.js';
import type { Instance, InstanceRuntime } from '../model/instance.js';
import { execProbe, healthcheckProbe } from './exec.js';
import { httpProbe } from './http.js';
import type { Probe } from './probe.js';
import { tcpProbe } from './tcp.js';
import { sleep } from '../util/sleep.js';

export function probesFor(c: ProbeConfig): Probe[] {
  const out: Probe[] = [];
  if (c.tcp) out.push(tcpProbe());
  if (c.http) out.push(httpProbe(c.http));
  if (c.exec) out.push(execProbe(c.exec));
  if (c.healthcheck) out.push(healthcheckProbe());
  return out;
}

export type Verdict =
  | { ok: true; ms: number }
  | { ok: false; ms: number; probe: string; output: string; logs: string; host: string; container: string };

/** The first of the probes that fails on this instance now (they run in order, stopping there), or undefined. */
export async function firstFailure(inst: Instance, runtime: InstanceRuntime, probes: Probe[], timeout: number): Promise<{ probe: string; output: string } | undefined> {
  for (const p of probes) {
    const r = await p.check(inst, runtime, timeout);
    if (!r.ok) return { probe: p.name, output: r.output };
  }
  return undefined;
}

export interface WaitOptions {
  probes?: Probe[];
  signal?: AbortSignal;
  /** Ms from the start of the wait after which a version that never held stable health fails (healthDeadline). */
  deadline?: number;
}

/**
 * Probes until every probe passed continuously for the stability window (ok), or one failed
 * `retries` times in a row after the start period, or the container stopped running, or the
 * deadline passed without stable health (a flapping version: a pass resets the failure count,
 * a failure resets the stability window, so only the deadline ends it).
 */
export async function waitHealthy(inst: Instance, runtime: InstanceRuntime, cfg: ProbeConfig, o: WaitOptions = {}): Promise<Verdict> {
  const probes = o.probes ?? probesFor(cfg);
  const t0 = Date.now();
  const end = o.deadline === undefined ? Infinity : t0 + o.deadline;
  let failures = 0;
  let passes = 0;
  let failed = 0;
  let last: { probe: string; output: string } | undefined;
  let healthySince: number | undefined;
  for (;;) {
    if (o.signal?.aborted) return fail('aborted', 'the deploy was interrupted');
    const st = await runtime.inspectHealth(inst).catch((e: Error) => ({ running: false, exitCode: undefined, log: e.message }));
    if (!st.running) return fail('container running', `the container stopped (exit code ${st.exitCode ?? '?'})`);
    const bad = await firstFailure(inst, runtime, probes, cfg.timeout);
    const now = Date.now();
    if (!bad) {
      passes++;
      failures = 0;
      healthySince ??= now;
      if (now - healthySince >= cfg.stability) return { ok: true, ms: now - t0 };
    } else {
      failed++;
      last = bad;
      healthySince = undefined;
      if (now - t0 >= cfg.startPeriod) failures++;
      if (failures >= cfg.retries) return fail(bad.probe, bad.output);
    }
    if (now >= end) {
      const why = `no stable health within ${((end - t0) / 1000).toFixed(1)} s (${passes} probe round(s) passed, ${failed} failed${last ? `; last failure: ${last.output}` : ''})`;
      return fail(last?.probe ?? probes.map((p) => p.name).join(', '), why);
    }
    await sleep(Math.min(cfg.interval, Math.max(0, end - Date.now())), o.signal);
  }

  async function fail(probe: string, output: string): Promise<Verdict> {
    return { ok: false, ms: Date.now() - t0, probe, output, logs: await runtime.logs(inst, 20), host: inst.host, container: inst.name };
  }
}
