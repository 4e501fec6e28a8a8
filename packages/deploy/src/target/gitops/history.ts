import type { Logger } from '@pipeline/core';
import type { GitopsEnvironment } from './config.js';
import { openManifestRepo } from './deploy.js';
import { environmentGrep, parseDeployTrailers, type DeployCommitInfo } from './git/message.js';

export interface GitopsHistoryEntry extends Omit<DeployCommitInfo, 'files'> {
  commit: string;
  date: string;
  /** A deploy or rollback taken back by a later revert commit. */
  revertedBy?: string;
}

/** The environment's deploy, rollback and revert commits on the branch (first-parent), newest first, from their trailers. */
export async function gitopsHistory(env: GitopsEnvironment, o: { token?: string; logger?: Logger; limit?: number } = {}): Promise<GitopsHistoryEntry[]> {
  const repo = await openManifestRepo(env, o);
  try {
    const tip = await repo.fetch('full');
    const out = await repo.raw(['log', '--first-parent', `--max-count=${o.limit ?? 1000}`, '--format=%H%x1f%aI%x1f%(trailers:only,unfold)%x1e', `--grep=${environmentGrep(env.name)}`, tip]);
    const entries: GitopsHistoryEntry[] = [];
    for (const rec of out.split('\x1e')) {
      const [commit, date, trailers] = rec.replace(/^\n/, '').split('\x1f');
      const info = commit && trailers !== undefined ? parseDeployTrailers(trailers) : undefined;
      if (info && info.environment === env.name) entries.push({ commit: commit.trim(), date, ...info });
    }
    for (const e of entries) if (e.kind === 'revert' && e.reverts) for (const x of entries) if (x.commit === e.reverts) x.revertedBy = e.commit;
    return entries;
  } finally {
    await repo.close();
  }
}
