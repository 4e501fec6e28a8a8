import { randomBytes } from 'node:crypto';
import { DeployError, parseReference, shortDigest, silentLogger, UsageError, type Digest, type Logger, quote } from '@pipeline/core';
import { resolveSecrets } from './config/secrets.js';
import type { DeployEnvironment } from './config/types.js';
import type { Instance } from './model/instance.js';
import type { HistoryEntry, HistoryStore, RecordReceipt } from './model/store.js';
import type { Desired, Failure, PruneResult, PullAuth, RollbackOutcome, RolloutPlan, Target } from './model/target.js';
import { appName, openTarget } from './open.js';
import { acquireLock } from './state/lock.js';
import { previousVersion } from './state/previous.js';
import type { TrafficSwitch } from './target/docker/proxy/switch.js';

export { appName, openTarget };

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
  /** Docker: a traffic switch other than the configured proxy (when no target is given). */
  traffic?: TrafficSwitch;
  /** History stores besides the target's own (openRecords: the GitOps branch): each gets the entry once. */
  records?: HistoryStore[];
  /** Run under the lock, before the rollout and after a successful one. */
  hooks?: { before?: () => Promise<void>; after?: () => Promise<void> };
  /** Prune after a successful deploy (default env.prune.auto). */
  prune?: boolean;
  onStep?: (step: string) => void | Promise<void>;
  /** Internal: a manual rollback records itself as such. */
  kind?: 'deploy' | 'rollback';
  /** A link to the CI run that deploys (a target that commits puts it in the commit). */
  ciRun?: string;
}

export interface DeployResult {
  deployId: string;
  digest: Digest;
  previous?: Digest;
  plan: RolloutPlan;
  durationMs: number;
  instances: Instance[];
  pruned?: PruneResult;
  /** What each extra history store (openRecords) said about the entry it kept. */
  records: RecordReceipt[];
}

/**
 * Rolls `image` onto the environment's target under its lock; when the target's verdict is a failure,
 * the target rolls everything back and this throws DeployError (exit 1) with the account. Each history
 * store gets the deploy's entry exactly once, with its deploy id, whatever the outcome.
 */
export async function deploy(o: DeployOptions): Promise<DeployResult> {
  if (o.target) return deployOn(o, o.target);
  // A target opened here is closed here (ssh connections, a gitops target's private git store).
  const target = openTarget(o.env, o.image, o.secrets ?? resolveSecrets(o.env), { traffic: o.traffic });
  try {
    return await deployOn(o, target);
  } finally {
    await target.close();
  }
}

async function deployOn(o: DeployOptions, target: Target): Promise<DeployResult> {
  const t0 = Date.now();
  const log = o.logger ?? silentLogger;
  const ref = parseReference(o.image);
  if (!ref.digest) throw new UsageError(`Expected an image reference with a digest (repo@sha256:…), got ${quote(o.image)}`, 'deploy what was pushed: the push step prints the digest');
  const digest = ref.digest;
  const env = o.env;
  const deployId = `${new Date(t0).toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
  const actor = o.actor ?? 'unknown'; // the CLI's settings work out who (one place for it)
  const kind = o.kind ?? 'deploy';
  await target.preflight();
  const release = await acquireLock(target, { owner: actor, message: o.message ?? `${kind} ${shortDigest(digest)}`, time: new Date().toISOString(), deployId }, { wait: o.lockWait ?? env.lock.wait, stale: env.lock.stale, logger: log, signal: o.signal });
  const step = async (s: string) => o.onStep?.(s);
  const run = { logger: log, signal: o.signal, onStep: step, auth: o.auth };
  let want: Desired | undefined;
  let recorded = false;
  const finish = (result: HistoryEntry['result']) => {
    recorded = true;
    const e: HistoryEntry = {
      deployId, kind, actor, from: want?.previous ? { digest: want.previous.digest, sha: want.previous.sha } : undefined, to: { digest, sha: o.sha },
      startedAt: new Date(t0).toISOString(), durationMs: Date.now() - t0, result, message: o.message,
    };
    return recordOnce(target, o.records, e, log).then((records) => ({ e, records }));
  };
  try {
    await step('locked');
    await o.hooks?.before?.();
    want = { image: `${ref.registry}/${ref.repository}`, digest, sha: o.sha, deployId, previous: previousVersion(await target.list(), digest), actor, kind, message: o.message, ciRun: o.ciRun };
    const outcome = await target.rollout(want, run);
    if (o.signal?.aborted) throw new DeployError(`deploy ${deployId} interrupted; the next deploy (or pipeline status) converges the ${target.kind === 'docker' ? 'hosts' : 'target'} to one version`);
    if (!outcome.ok) {
      const back = await target.rollback(want.previous, want, run);
      const { e, records } = await finish(back.ok ? 'rolled-back' : 'failed');
      throw new DeployError(account(deployId, digest, outcome.failure, back, e.durationMs), { state: { failure: outcome.failure, rollback: back, instances: await target.list().catch(() => []), records } });
    }
    const { e, records } = await finish('ok');
    await o.hooks?.after?.();
    const instances = (await target.list()).filter((i) => i.running);
    const pruned = (o.prune ?? env.prune.auto) ? await target.prune({ keep: env.prune.keep }).catch((err: Error) => (log.warn(`prune: ${err.message}`), undefined)) : undefined;
    log.info(`deploy ${deployId}: ${instances.length} instance(s) on ${shortDigest(digest)} in ${(e.durationMs / 1000).toFixed(1)} s`);
    return { deployId, digest, previous: want.previous?.digest, plan: outcome.plan, durationMs: e.durationMs, instances, pruned, records };
  } catch (err) {
    if (o.signal?.aborted && !recorded) await finish('interrupted');
    throw err;
  } finally {
    await release();
  }
}

/** The entry, once, in the target's store and each extra store; a store that fails to record is a warning, never the deploy's result. */
async function recordOnce(target: Target, extra: HistoryStore[] = [], e: HistoryEntry, log: Logger): Promise<RecordReceipt[]> {
  const own = await target.store.append(e).catch((err: Error) => void log.warn(`history on ${target.store.where}: ${err.message}`));
  // A store whose record has an id of its own (a gitops target's deploy commit) is reported like the extra ones.
  const out: RecordReceipt[] = own?.id ? [own] : [];
  for (const s of extra) {
    try {
      const r = await s.append(e);
      if (r) {
        out.push(r);
        log.info(`recorded ${e.deployId} on ${r.where}${r.pushed ? ' and pushed it' : ''}${r.id ? ` (${r.id.slice(0, 12)})` : ''}`);
      }
    } catch (err) {
      log.warn(`history on ${s.where}: ${(err as Error).message} (the entry is still on ${target.store.where})`);
    }
  }
  return out;
}

function account(id: string, digest: Digest, f: Failure, back: RollbackOutcome, ms: number): string {
  const lines = [
    `deploy ${id} of ${shortDigest(digest)} failed in ${f.where}`,
    `  ${Object.entries(f.at).map(([k, v]) => `${k}: ${v}`).join('  ')}`,
    `  probe: ${f.probe}`,
    `  last output: ${f.output}`,
  ];
  if (f.logs) lines.push('  last log lines:', ...f.logs.split('\n').slice(-10).map((l) => `    ${l}`));
  if (back.to && back.ok) lines.push(`rolled back ${back.scope} to ${shortDigest(back.to)} (${back.instances} healthy) in ${(back.ms / 1000).toFixed(1)} s; total ${(ms / 1000).toFixed(1)} s`);
  else if (back.to) lines.push(`ROLLBACK to ${shortDigest(back.to)} FAILED: ${back.error}`);
  else lines.push(`no previous version to roll back to: the new ${back.scope === 'every host' ? 'containers were' : 'version was'} stopped`);
  return lines.join('\n');
}
