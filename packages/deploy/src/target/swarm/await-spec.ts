import type { Digest, Logger } from '@pipeline/core';
import type { ProbeConfig } from '../../config/types.js';
import type { Failure } from '../../model/target.js';
import type { Probe } from '../../probe/probe.js';
import { firstFailure } from '../../probe/wait.js';
import { sleep } from '../../util/sleep.js';
import type { SwarmApi } from './api.js';
import type { SwarmNode, SwarmService, SwarmTask, UpdateState } from './api-types.js';
import { SWARM_LABEL } from './labels.js';
import { serving, SwarmRuntime, taskInstance } from './tasks.js';

/** Which tasks run the spec waited for: by pipeline's spec hash, else (a spec pipeline did not write) by image. */
export interface SpecWanted { specHash?: string; image: string; digest?: Digest; replicas: number; probePort?: number }

export interface AwaitOptions {
  api: SwarmApi;
  probe: ProbeConfig;
  probes: Probe[];
  logger: Logger;
  signal?: AbortSignal;
  /** The whole wait: Swarm's scheduling, image pulls on the nodes, every batch. */
  deadlineMs: number;
  /** One task, from its start: stable health within this (the probe budget or rollout.deadline), as for a container on a host. */
  taskDeadlineMs: number;
  /** Update states that mean Swarm is done (`completed`; `rollback_completed` when Swarm rolls back); none: a new service. */
  done: (UpdateState | undefined)[];
  /** Update states that are a verdict of failure (Swarm rolled back or paused). */
  failOn: UpdateState[];
}

export type SpecVerdict = { ok: true; ms: number } | { ok: false; ms: number; failure: Omit<Failure, 'where'>; state?: UpdateState };

const isMine = (w: SpecWanted) => (t: SwarmTask) => (w.specHash ? t.Spec.ContainerSpec.Labels?.[SWARM_LABEL.specHash] === w.specHash : t.Spec.ContainerSpec.Image === w.image);
const FAILED = new Set(['failed', 'rejected', 'orphaned']);

/**
 * Waits until Swarm says it is done with the service and every one of its `replicas` serving tasks runs the
 * wanted spec and held the probes (from outside, on each task's published port) for the stability window.
 * A verdict of failure: Swarm rolled back or paused, a probe failed `retries` times in a row on a task, a slot
 * kept restarting, or the deadline passed without stable health.
 */
export async function awaitSpec(name: string, want: SpecWanted, o: AwaitOptions): Promise<SpecVerdict> {
  const t0 = Date.now();
  const end = t0 + o.deadlineMs;
  const runtime = new SwarmRuntime(o.api);
  const mine = isMine(want);
  const fails = new Map<string, number>();
  const since = new Map<string, number>();
  /** Tasks that held the probes for the stability window once: later failures count through `retries` only. */
  const proven = new Set<string>();
  let nodes = new Map<string, SwarmNode>();
  let last: { task?: SwarmTask; why: string } | undefined;
  let before: Set<string> | undefined;
  for (;;) {
    const svc = await o.api.service(name);
    if (!svc) return fail('service', `${name} is gone`);
    const state = svc.UpdateStatus?.State;
    const tasks = await o.api.tasks(svc.ID);
    if (tasks.some((t) => t.NodeID && !nodes.has(t.NodeID))) nodes = new Map((await o.api.nodes()).map((n) => [n.ID, n]));
    if (state && o.failOn.includes(state)) {
      const bad = newest(tasks.filter((t) => mine(t) && FAILED.has(t.Status.State))) ?? newest(tasks.filter(mine));
      return fail('swarm update', `${state}${svc.UpdateStatus?.Message ? `: ${svc.UpdateStatus.Message}` : ''}${bad?.Status.Err ? ` (task: ${bad.Status.Err})` : ''}`, svc, bad, state);
    }
    // A slot whose task of this spec failed twice during this wait keeps restarting (Swarm restarts it;
    // its monitor may be over). Failures older than the wait are history, not a verdict.
    before ??= new Set(tasks.filter((t) => FAILED.has(t.Status.State)).map((t) => t.ID));
    const failedBySlot = new Map<string, SwarmTask[]>();
    for (const t of tasks.filter((x) => mine(x) && FAILED.has(x.Status.State) && !before!.has(x.ID))) {
      const k = String(t.Slot ?? t.NodeID);
      failedBySlot.set(k, [...(failedBySlot.get(k) ?? []), t]);
    }
    const restarting = [...failedBySlot.values()].find((xs) => xs.length >= 2);
    if (restarting) {
      const t = newest(restarting)!;
      return fail('task restarts', `${name}.${t.Slot ?? '?'} failed ${restarting.length} times: ${t.Status.State}: ${t.Status.Err ?? t.Status.Message ?? ''}`, svc, t);
    }
    const up = tasks.filter((t) => mine(t) && serving(t));
    const now = Date.now();
    // A task Swarm cannot place (constraints, one per node and no spare node) will not start by waiting.
    const stuck = tasks.find((t) => mine(t) && t.DesiredState === 'running' && t.Status.State === 'pending' && /no suitable node/.test(t.Status.Err ?? '') && now - Date.parse(t.CreatedAt) > o.taskDeadlineMs);
    if (stuck) return fail('scheduling', `Swarm cannot place ${name}.${stuck.Slot ?? '?'} for ${((now - Date.parse(stuck.CreatedAt)) / 1000).toFixed(0)} s: ${stuck.Status.Err}`, svc, stuck);
    for (const t of up) {
      const inst = taskInstance(t, svc, nodes, want.probePort);
      const startedAt = Date.parse(t.Status.Timestamp);
      const bad = inst.port && o.probes.length ? await firstFailure(inst, runtime, o.probes, o.probe.timeout) : undefined;
      if (!bad) {
        fails.set(t.ID, 0);
        if (!since.has(t.ID)) since.set(t.ID, inst.port && o.probes.length ? now : startedAt);
        continue;
      }
      since.delete(t.ID);
      last = { task: t, why: `${bad.probe}: ${bad.output}` };
      // A task that never held the stability window by its deadline (flapping health) fails like a container on a host.
      if (!proven.has(t.ID) && now - startedAt > o.taskDeadlineMs) return fail(bad.probe, `no stable health within ${(o.taskDeadlineMs / 1000).toFixed(1)} s of the task's start; last failure: ${bad.output}`, svc, t);
      if (now - startedAt < o.probe.startPeriod) continue;
      const n = (fails.get(t.ID) ?? 0) + 1;
      fails.set(t.ID, n);
      if (n >= o.probe.retries) return fail(bad.probe, bad.output, svc, t);
    }
    for (const t of up) if (now - (since.get(t.ID) ?? Infinity) >= o.probe.stability) proven.add(t.ID);
    const others = tasks.filter((t) => serving(t) && !mine(t));
    const stable = up.length === want.replicas && up.every((t) => now - (since.get(t.ID) ?? Infinity) >= o.probe.stability);
    if (o.done.includes(state) && !others.length && stable) return { ok: true, ms: now - t0 };
    if (o.signal?.aborted) return fail('aborted', 'the deploy was interrupted', svc);
    if (now >= end) {
      const why = `no stable health within ${(o.deadlineMs / 1000).toFixed(1)} s: ${up.length}/${want.replicas} task(s) of the new spec serving, ${others.length} old, update ${state ?? 'not started'}${last ? `; last failure: ${last.why}` : ''}`;
      return fail(last ? last.why.split(': ')[0] : 'stable health', why, svc, last?.task ?? newest(tasks.filter(mine)));
    }
    await sleep(Math.min(o.probe.interval, Math.max(0, end - Date.now())), o.signal);
  }

  async function fail(probe: string, output: string, svc?: SwarmService, task?: SwarmTask, state?: UpdateState): Promise<SpecVerdict> {
    const at: Record<string, string> = { service: name };
    if (task) at.task = `${name}.${task.Slot ?? '?'} ${task.ID.slice(0, 12)}`;
    at.state = `${svc?.UpdateStatus?.State ?? 'no update'}${task ? `, task ${task.Status.State}${task.Status.Err ? `: ${task.Status.Err}` : task.Status.Message ? `: ${task.Status.Message}` : ''}` : ''}`;
    const logs = task ? await o.api.taskLogs(task.ID, 20) : '';
    return { ok: false, ms: Date.now() - t0, failure: { at, probe, output, logs }, state };
  }
}

const newest = (xs: SwarmTask[]) => [...xs].sort((a, b) => b.UpdatedAt.localeCompare(a.UpdatedAt))[0];
