import type { HistoryEntry, HistoryStore, RecordReceipt } from '../model/store.js';
import { readGitRecord, recordToGit, type GitRecordOptions } from './git-record.js';

/** The GitOps record as a history store: one JSON line per entry on a branch, committed (and pushed). */
export class GitBranchRecord implements HistoryStore {
  readonly where: string;

  constructor(private readonly o: GitRecordOptions) {
    this.where = `branch ${o.branch}`;
  }

  async append(e: HistoryEntry): Promise<RecordReceipt> {
    const r = await recordToGit(e, this.o);
    return { where: r.branch, id: r.commit, pushed: r.pushed };
  }

  /** This environment's entries on the local branch, newest first. */
  async read(limit = 50): Promise<HistoryEntry[]> {
    const all = await readGitRecord(this.o);
    return all
      .filter((e) => !this.o.environment || !e.environment || e.environment === this.o.environment)
      .map(({ environment: _, ...e }) => e)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
      .slice(0, limit);
  }
}
