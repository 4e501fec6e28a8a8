import { randomBytes } from 'node:crypto';
import { DeployError, parseReference, shortDigest, silentLogger, UsageError, type Digest, type Logger, quote } from '@pipeline/core';
import { resolveSecrets } from './config/secrets.js';
import type { DeployEnvironment } from './config/types.js';
import { firstFailure, probesFor } from './probe/wait.js';
import { HaproxySwitch } from './proxy/haproxy.js';
import { noSwitch, type TrafficSwitch } from './proxy/switch.js';
import type { Probe } from './probe/probe.js';
import { planRollout, previousDigest, type RolloutPlan } from './rollout/plan.js';
import { BatchFailed, runPlan, watch, type Failure, type RunContext } from './rollout/run.js';
import { record } from './state/history.js';
import { acquireLock } from './state/lock.js';
import { prune, type PruneResult } from './state/prune.js';
import { DockerTarget } from './target/docker/docker-target.js';
import type { Instance, PullAuth, Target } from './target/target.js';

export interface DeployOptions {
  env: DeployEnvironment;
  /** `registry/repo@sha256:…` (a tag may be there too; the digest is what runs). */
  image: string;
  /** The git SHA the image was built from (the tag). */
  sha?: string;
  /** Who: git author or CI actor. */
  actor?: string;
  message?: string;
  logger?: Logger;
  /** Abort (Ctrl-C): stops waiting, releases the lock, leaves a state the next deploy converges. */
  signal?: AbortSignal;
  /** Overrides env.lock.wait (ms). */
  lockWait?: number;
  auth?: PullAuth;
  /** Pre-resolved secret values; otherwise read from env vars / files named in the config. */
  secrets?: Record<string, string>;
  target?: Target;
  traffic?: TrafficSwitch;
  /** Run under the lock, before the first pull and after a successful rollout. */
  hooks?: { before?: () => Promise<void>; after?: () => Promise<void> };
  /** Prune after a successful deploy (default env.prune.auto). */
  prune?: boolean;
  onStep?: (step: string) => void | Promise<void>;
  /** Internal: a manual rollback records itself as such. */
  kind?: 'deploy' | 'rollback';
}

export interface DeployResult {
  deployId: string;
  digest: Digest;
  previous?: Digest;
  plan: RolloutPlan;
  durationMs: number;
  instances: Instance[];
  pruned?: PruneResult;
}

/** App name: configured, else the image repository's last path component. */
export function appName(env: DeployEnvironment, image?: string): string {
  if (env.app) return env.app;
  const repo = image ? parseReference(image).repository : env.image ? parseReference(env.image).repository : undefined;
  if (!repo) throw new UsageError(`environments.${env.name}: Expected app or image to name the app, got neither`);
  return repo.split('/').pop()!;
}

export function openTarget(env: DeployEnvironment, image?: string, secrets: Record<string, string> = {}): Target {
  return new DockerTarget(appName(env, image), env, secrets);
}

/** Rolls `image` onto the environment; on any failing batch (or watch) rolls the whole fleet back and throws DeployError (exit 1). */
export async function deploy(o: DeployOptions): Promise<DeployResult> {
  const t0 = Date.now();
  const log = o.logger ?? silentLogger;
  const ref = parseReference(o.image);
  if (!ref.digest) throw new UsageError(`Expected an image reference with a digest (repo@sha256:…), got ${quote(o.image)}`, 'deploy what was pushed: the push step prints the digest');
  const digest = ref.digest;
  const repo = `${ref.registry}/${ref.repository}`;
  const env = o.env;
  const secrets = o.secrets ?? resolveSecrets(env);
  const target = o.target ?? new DockerTarget(appName(env, o.image), env, secrets);
  const traffic = o.traffic ?? (env.proxy ? new HaproxySwitch(env.proxy.socket, env.proxy.backend) : noSwitch);
  const deployId = `${new Date(t0).toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
  const actor = o.actor ?? 'unknown'; // the CLI's settings work out who (one place for it)
  await target.preflight();
  const release = await acquireLock(target, { owner: actor, message: o.message ?? `${o.kind ?? 'deploy'} ${shortDigest(digest)}`, time: new Date().toISOString(), deployId }, { wait: o.lockWait ?? env.lock.wait, stale: env.lock.stale, logger: log, signal: o.signal });
  const step = async (s: string) => o.onStep?.(s);
  let from: Digest | undefined;
  let fromSha: string | undefined;
  try {
    await step('locked');
    await o.hooks?.before?.();
    await Promise.all(target.hosts.map((h) => target.pull(h, repo, digest, o.auth)));
    await step('pulled');
    const before = await target.list();
    // After an interrupted deploy the rotation may lack a started instance or hold a stopped one.
    if (traffic.sync) await traffic.sync(await passing(before.filter((i) => i.running), target, probesFor(env.probe), env.probe.timeout));
    from = previousDigest(before, digest);
    fromSha = before.find((i) => i.digest === from)?.sha;
    const plan = planRollout(before, { digest, hosts: target.hosts, replicas: env.replicas }, env.rollout);
    log.info(`deploy ${deployId}: ${from ? shortDigest(from) : '(nothing)'} → ${shortDigest(digest)} in ${plan.batches.length} batch(es), keeping ${plan.keep.length}`);
    const ctx: RunContext = { target, traffic, probe: env.probe, probes: probesFor(env.probe), rollout: env.rollout, image: repo, sha: o.sha, deployId, previous: from, logger: log, signal: o.signal, onStep: step };
    let failure: Failure | undefined;
    try {
      await runPlan(plan, ctx);
      await step('rolled-out');
      const now = (await target.list()).filter((i) => i.running && i.digest === digest);
      failure = await watch(now, ctx);
    } catch (e) {
      if (!(e instanceof BatchFailed)) throw e;
      failure = e.failure;
    }
    if (o.signal?.aborted) throw new DeployError(`deploy ${deployId} interrupted; the next deploy (or pipeline status) converges the hosts to one version`);
    if (failure) {
      const back = await rollBack(target, ctx, from, before, digest, env.replicas);
      const durationMs = Date.now() - t0;
      await record(target, { deployId, kind: o.kind ?? 'deploy', actor, from: from ? { digest: from, sha: fromSha } : undefined, to: { digest, sha: o.sha }, startedAt: new Date(t0).toISOString(), durationMs, result: back.ok ? 'rolled-back' : 'failed', message: o.message });
      throw new DeployError(account(deployId, digest, failure, plan, back, durationMs), { state: { failure, rollback: back, instances: await target.list().catch(() => []) } });
    }
    const durationMs = Date.now() - t0;
    await record(target, { deployId, kind: o.kind ?? 'deploy', actor, from: from ? { digest: from, sha: fromSha } : undefined, to: { digest, sha: o.sha }, startedAt: new Date(t0).toISOString(), durationMs, result: 'ok', message: o.message });
    await o.hooks?.after?.();
    const instances = (await target.list()).filter((i) => i.running);
    const pruned = (o.prune ?? env.prune.auto) ? await prune(target, { keep: env.prune.keep }).catch((e: Error) => (log.warn(`prune: ${e.message}`), undefined)) : undefined;
    log.info(`deploy ${deployId}: ${instances.length} instance(s) on ${shortDigest(digest)} in ${(durationMs / 1000).toFixed(1)} s`);
    return { deployId, digest, previous: from, plan, durationMs, instances, pruned };
  } catch (e) {
    if (o.signal?.aborted && !(e instanceof DeployError)) {
      await record(target, { deployId, kind: o.kind ?? 'deploy', actor, from: from ? { digest: from, sha: fromSha } : undefined, to: { digest, sha: o.sha }, startedAt: new Date(t0).toISOString(), durationMs: Date.now() - t0, result: 'interrupted', message: o.message });
    }
    throw e;
  } finally {
    await release();
  }
}

async function passing(list: Instance[], target: Target, probes: Probe[], timeout: number): Promise<Instance[]> {
  const failed = await Promise.all(list.map((i) => firstFailure(i, target, probes, timeout)));
  return list.filter((_, k) => !failed[k]);
}

interface RollbackOutcome { ok: boolean; to?: Digest; ms: number; instances: number; error?: string }

/** Fleet-wide: every host goes back to `to`, health-checked like a deploy; with no previous version the new containers are stopped. */
async function rollBack(target: Target, ctx: RunContext, to: Digest | undefined, before: Instance[], bad: Digest, replicas: number): Promise<RollbackOutcome> {
  const t0 = Date.now();
  const log = ctx.logger;
  if (!to) {
    for (const i of (await target.list()).filter((x) => x.running && x.digest === bad)) await ctx.traffic.drain(i, ctx.rollout.drain).then(() => target.stop(i)).then(() => ctx.traffic.remove(i));
    return { ok: true, ms: Date.now() - t0, instances: 0 };
  }
  const image = before.find((i) => i.digest === to)?.image ?? ctx.image;
  const sha = before.find((i) => i.digest === to)?.sha;
  log.warn(`rolling every host back to ${shortDigest(to)}`);
  try {
    await Promise.all(target.hosts.map((h) => target.pull(h, image, to)));
    const plan = planRollout(await target.list(), { digest: to, hosts: target.hosts, replicas }, { batch: { percent: 100 }, order: 'start-first' });
    await runPlan(plan, { ...ctx, image, sha, previous: bad, signal: undefined });
    const n = (await target.list()).filter((i) => i.running && i.digest === to).length;
    return { ok: true, to, ms: Date.now() - t0, instances: n };
  } catch (e) {
    return { ok: false, to, ms: Date.now() - t0, instances: 0, error: (e as Error).message };
  }
}

function account(id: string, digest: Digest, f: Failure, plan: RolloutPlan, back: RollbackOutcome, ms: number): string {
  const where = f.batch >= 0 ? `batch ${f.batch + 1}/${plan.batches.length}` : 'the watch window after the last batch';
  const lines = [
    `deploy ${id} of ${shortDigest(digest)} failed in ${where}`,
    `  host: ${f.host}  container: ${f.container}`,
    `  probe: ${f.probe}`,
    `  last output: ${f.output}`,
  ];
  if (f.logs) lines.push('  last log lines:', ...f.logs.split('\n').slice(-10).map((l) => `    ${l}`));
  if (back.to && back.ok) lines.push(`rolled back every host to ${shortDigest(back.to)} (${back.instances} healthy) in ${(back.ms / 1000).toFixed(1)} s; total ${(ms / 1000).toFixed(1)} s`);
  else if (back.to) lines.push(`ROLLBACK to ${shortDigest(back.to)} FAILED: ${back.error}`);
  else lines.push('no previous version to roll back to: the new containers were stopped');
  return lines.join('\n');
}
