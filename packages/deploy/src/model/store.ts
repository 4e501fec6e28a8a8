import type { Digest } from '@pipeline/core';

export interface LockInfo {
  owner: string;
  message: string;
  time: string;
  deployId: string;
  /** Where this copy of the lock is held (a host URL, `swarm`, a branch). */
  host: string;
  /** Where the holder runs: a dead pid on the same machine makes the lock stale at once. */
  machine?: string;
  pid?: number;
}

export interface HistoryEntry {
  deployId: string;
  kind: 'deploy' | 'rollback';
  actor: string;
  from?: { digest: Digest; sha?: string };
  to: { digest: Digest; sha?: string };
  startedAt: string;
  durationMs: number;
  result: 'ok' | 'rolled-back' | 'failed' | 'interrupted';
  message?: string;
}

/** What a store says about a record it kept (a git commit, a Swarm config): printed after the deploy. */
export interface RecordReceipt {
  /** Human: `pipeline/deploys`, `the hosts`, `the Swarm`. */
  where: string;
  /** The record's own id there (a commit, a config name). */
  id?: string;
  pushed?: boolean;
}

/** An audit trail: each deploy's entry written once, with its deploy id, and read back newest first. */
export interface HistoryStore {
  /** Human, for messages: `the hosts`, `branch pipeline/deploys`, `the Swarm`. */
  readonly where: string;
  append(e: HistoryEntry): Promise<RecordReceipt | undefined>;
  /** Newest first. */
  read(limit?: number): Promise<HistoryEntry[]>;
}

/**
 * Lock and history of one environment, kept with the target itself (holder containers on the hosts,
 * Swarm configs, a git branch), so they survive the machine that ran the deploy.
 */
export interface StateStore extends HistoryStore {
  /**
   * Takes the environment's lock atomically; resolves undefined when taken, else the holder (untouched).
   * A store where concurrent deploys are safe by construction may always grant it.
   */
  lock(info: Omit<LockInfo, 'host'>): Promise<LockInfo | undefined>;
  /** Every place the lock is kept, and who holds it there. */
  locks(): Promise<Record<string, LockInfo | undefined>>;
  /** Releases the copies of the lock `holder` holds (on its `host` only when given); without one, every copy (an operator's decision). */
  unlock(holder?: { deployId: string; host?: string }): Promise<void>;
}
