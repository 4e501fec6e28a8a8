import type { Digest } from '@pipeline/core';
import type { GitopsEnvironment } from '../../config/types.js';
import type { HistoryEntry, LockInfo, RecordReceipt, StateStore } from '../../model/store.js';
import { environmentGrep, parseDeployTrailers, type DeployCommitInfo } from './git/message.js';
import type { ManifestRepo } from './git/repo.js';

/** One deploy, rollback or revert commit of the environment, from its trailers. */
export interface DeployCommit extends Omit<DeployCommitInfo, 'files'> {
  commit: string;
  date: string;
  /** A deploy or rollback taken back by a later revert commit. */
  revertedBy?: string;
}

/** The environment's commits on the branch (first parent), newest first. */
export async function deployCommits(repo: ManifestRepo, env: GitopsEnvironment, limit = 1000): Promise<DeployCommit[]> {
  const tip = await repo.fetch('full');
  const out = await repo.raw(['log', '--first-parent', `--max-count=${limit}`, '--format=%H%x1f%aI%x1f%(trailers:only,unfold)%x1e', `--grep=${environmentGrep(env.name)}`, tip]);
  const list: DeployCommit[] = [];
  for (const rec of out.split('\x1e')) {
    const [commit, date, trailers] = rec.replace(/^\n/, '').split('\x1f');
    const info = commit && trailers !== undefined ? parseDeployTrailers(trailers) : undefined;
    if (info && info.environment === env.name) list.push({ commit: commit.trim(), date, ...info });
  }
  for (const r of list) if (r.kind === 'revert' && r.reverts) for (const x of list) if (x.commit === r.reverts) x.revertedBy = r.commit;
  return list;
}

/**
 * Lock and history of a gitops environment, both in the manifests repository itself: the history is
 * the deploy commits' trailers (a deploy taken back by a revert commit is `rolled-back`); the lock is
 * always granted, since two deploys can never overwrite each other (each lands on the tip it edited).
 */
export class GitopsStore implements StateStore {
  readonly where: string;
  /** The commit each deploy of this process made: the record append() reports. */
  readonly commits = new Map<string, string>();

  constructor(private readonly env: GitopsEnvironment, private readonly repo: () => Promise<ManifestRepo>) {
    this.where = `branch ${env.repository.branch} of ${env.repository.url}`;
  }

  async lock(): Promise<LockInfo | undefined> {
    return undefined;
  }

  async locks(): Promise<Record<string, LockInfo | undefined>> {
    return {};
  }

  async unlock(): Promise<void> {}

  /** The deploy commit is the record: nothing more to write. */
  async append(e: HistoryEntry): Promise<RecordReceipt | undefined> {
    const id = this.commits.get(e.deployId);
    return id ? { where: this.where, id, pushed: true } : undefined;
  }

  async read(limit = 50): Promise<HistoryEntry[]> {
    const commits = await deployCommits(await this.repo(), this.env);
    return commits
      .filter((c): c is DeployCommit & { kind: 'deploy' | 'rollback' } => c.kind !== 'revert' && !!c.to.digest)
      .slice(0, limit)
      .map((c) => ({
        deployId: c.deployId,
        kind: c.kind,
        actor: c.actor,
        from: c.from?.digest ? { digest: c.from.digest, sha: c.from.sha } : undefined,
        to: { digest: c.to.digest as Digest, sha: c.to.sha },
        startedAt: c.date,
        durationMs: 0,
        result: c.revertedBy ? 'rolled-back' : 'ok',
        message: c.revertedBy ? `reverted by ${c.revertedBy.slice(0, 12)}` : c.message,
      }));
  }
}
