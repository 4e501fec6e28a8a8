import { UsageError, type Logger } from '@pipeline/core';
import type { GitopsEnvironment } from './config.js';
import { gitopsDeploy, type GitopsDeployResult } from './deploy.js';
import { gitopsHistory, type GitopsHistoryEntry } from './history.js';
import { gitopsStatus } from './status.js';

export interface GitopsRollbackOptions {
  env: GitopsEnvironment;
  /** A digest, its hex prefix (7+), a git SHA (prefix) or a deploy id from history; default: the version before the current one. */
  to?: string;
  actor: string;
  ciRun?: string;
  token?: string;
  logger?: Logger;
  signal?: AbortSignal;
}

/** Deploys and rollbacks that were not reverted, newest first: the versions one can go back to. */
const good = (h: GitopsHistoryEntry[]) => h.filter((e) => e.kind !== 'revert' && !e.revertedBy && e.to.digest);

export function pickRollbackTarget(history: GitopsHistoryEntry[], current: string | undefined, to?: string): GitopsHistoryEntry | undefined {
  const list = good(history);
  if (!to) return list.find((e) => e.to.digest !== current);
  const want = to.toLowerCase().replace(/^sha256:/, '');
  return list.find((e) => e.deployId === to || e.to.digest!.slice(7).startsWith(want) || (want.length >= 7 && (e.to.sha?.startsWith(want) ?? false)));
}

/** A commit back to an earlier version, verified (and reverted on failure) like any deploy. */
export async function gitopsRollback(o: GitopsRollbackOptions): Promise<GitopsDeployResult & { target: GitopsHistoryEntry }> {
  const [history, status] = await Promise.all([gitopsHistory(o.env, o), gitopsStatus({ ...o.env, verify: undefined }, o)]);
  const target = pickRollbackTarget(history, status.digest, o.to);
  if (!target) {
    const known = good(history).map((e) => `${e.to.digest!.slice(7, 19)}${e.to.sha ? ` (${e.to.sha.slice(0, 7)})` : ''}`);
    throw new UsageError(
      o.to ? `rollback ${o.env.name}: Expected --to to name a version deployed before (digest, SHA or deploy id), got ${o.to}` : `rollback ${o.env.name}: Expected an earlier deploy to go back to, got ${known.length ? 'only the current version' : 'no deploy commits on the branch'}`,
      known.length ? `deployed versions: ${known.join(', ')}` : undefined,
    );
  }
  const res = await gitopsDeploy({ env: o.env, desired: { name: target.to.name, tag: target.to.tag, sha: target.to.sha, digest: target.to.digest! }, actor: o.actor, ciRun: o.ciRun, kind: 'rollback', token: o.token, logger: o.logger, signal: o.signal });
  return { ...res, target };
}
