// The programmatic deploy of the API (exported by src/index.ts with api/) lives beside the environment
// helpers it composes, so that api/ never imports commands/ (commands/ import api/).
import { isDeployError, silentLogger, type Digest, type Logger } from '@pipeline/core';
import { deploy, openTarget, type Failure, type GitRecordResult, type PruneResult } from '@pipeline/deploy';
import { imageFor, loadEnvironment, preflight, pullAuth, recorded, recordsFor } from './deploy-env.js';
import { resolveFacts, resolveSettings, type SettingsInput } from '../settings/index.js';

export interface DeployRequest {
  /** A key of `environments:` in pipeline.yml. */
  environment: string;
  cwd: string;
  /** pipeline.yml (default: cwd/pipeline.yml). */
  config?: string;
  /** `REPO@sha256:…`; default: what the last push recorded in .pipeline/record.json. */
  image?: string;
  /** The commit `image` was built from, when the caller just built it (a `REPO@digest` names none). */
  sha?: string;
  /** Why: kept in the lock and the history (default: a link to the CI run, when there is one). */
  message?: string;
  lockWait?: number;
  /** false: keep old versions this time (prune.auto). */
  prune?: boolean;
  /** Where the actor and the registry login come from (the front door's settings); default: `env` alone. */
  settings?: SettingsInput;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
}

export interface DeployReport {
  environment: string;
  /** deployed: the new version runs everywhere; unchanged: it already did; rolled-back / failed: a probe failed and every host went back (or could not). */
  result: 'deployed' | 'unchanged' | 'rolled-back' | 'failed';
  deployId?: string;
  image: string;
  digest: Digest;
  sha?: string;
  previous?: Digest;
  actor: string;
  durationMs: number;
  batches?: number;
  instances: { host: string; name: string; digest: Digest; port?: number }[];
  pruned?: PruneResult;
  record?: GitRecordResult;
  /** When a probe failed: which host, container and probe, its last output and log lines. */
  failure?: { host: string; container: string; probe: string; output: string; logs: string };
  rollback?: { ok: boolean; to?: Digest; instances: number; ms: number; error?: string };
  /** The deploy's own account of a failure (the CLI prints it). */
  account?: string;
}

type FailureState = { failure?: Failure; rollback?: DeployReport['rollback']; instances?: (DeployReport['instances'][number] & { running?: boolean })[] };

/** The report's failure from the deploy's: `host`/`container` for a host target, the Swarm service and task for a stack. */
const reported = (f: Failure): NonNullable<DeployReport['failure']> => ({ host: f.at.host ?? f.at.service ?? f.where, container: f.at.container ?? f.at.task ?? '-', probe: f.probe, output: f.output, logs: f.logs });

/**
 * Rolls the pushed image out to one environment, batch by batch behind its probes. A failing probe
 * rolls every host back: that is a report with result rolled-back (or failed), not an exception;
 * bad input, a held lock or an interrupted deploy still throw.
 */
export async function deployEnvironment(o: DeployRequest): Promise<DeployReport> {
  const t0 = Date.now();
  const log = o.logger ?? silentLogger;
  const env = o.env ?? process.env;
  const input: SettingsInput = o.settings ?? { env };
  const s = await loadEnvironment(o.environment, { cwd: o.cwd, config: o.config, logger: log });
  const picked = await imageFor(s, o.image, env);
  const { image, digest } = picked;
  const sha = picked.sha ?? (o.image ? o.sha : undefined);
  const secrets = await preflight(s, env);
  const facts = await resolveFacts(input, s.cfg.dir);
  const actor = facts.actor;
  const message = o.message ?? (facts.runUrl ? `${facts.host ?? 'CI'} run ${facts.runUrl}` : undefined);
  const auth = await pullAuth(image, env, resolveSettings(input));
  const target = openTarget(s.env, image, secrets, { vars: env });
  try {
    const records = recordsFor(s, log);
    const { result: r, record } = await recorded(log, (signal) =>
      deploy({ env: s.env, image, sha, actor, ciRun: facts.runUrl, message, logger: log, signal, lockWait: o.lockWait, auth, secrets, target, records, prune: o.prune === false ? false : undefined }),
    );
    return {
      environment: s.env.name,
      result: r.plan.batches.length ? 'deployed' : 'unchanged',
      deployId: r.deployId,
      image,
      digest: r.digest,
      sha,
      previous: r.previous,
      actor,
      durationMs: r.durationMs,
      batches: r.plan.batches.length,
      instances: r.instances.map((i) => ({ host: i.host, name: i.name, digest: i.digest, port: i.port })),
      pruned: r.pruned,
      record,
    };
  } catch (e) {
    const state = isDeployError(e) ? (e.state as FailureState | undefined) : undefined;
    if (!state?.failure) throw e;
    return {
      environment: s.env.name,
      result: state.rollback?.ok === false ? 'failed' : 'rolled-back',
      image,
      digest,
      sha,
      actor,
      durationMs: Date.now() - t0,
      instances: (state.instances ?? []).filter((i) => i.running !== false).map((i) => ({ host: i.host, name: i.name, digest: i.digest, port: i.port })),
      failure: reported(state.failure),
      rollback: state.rollback,
      account: (e as Error).message,
    };
  } finally {
    await target.close();
  }
}
