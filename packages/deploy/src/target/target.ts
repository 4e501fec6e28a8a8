import type { Digest } from '@pipeline/core';

/** One running (or stopped) unit of the app on a target, as read back from the target itself. */
export interface Instance {
  host: string;
  id: string;
  name: string;
  digest: Digest;
  image: string;
  sha?: string;
  deployId?: string;
  previous?: Digest;
  running: boolean;
  /** The engine's own word (`running`, `exited`, `created` = never started, `restarting`, `paused`, `dead`). */
  state?: string;
  /** The image HEALTHCHECK's verdict when there is one. */
  health?: 'starting' | 'healthy' | 'unhealthy';
  startedAt?: string;
  createdAt: string;
  /** Where probes and the proxy reach it. */
  address: string;
  port: number;
  /** Key → short hash of each env value (secret keys hashed too, values never stored). */
  envHash: Record<string, string>;
  /** Fixed publishes (`8080:80/tcp`). */
  ports: string[];
}

/** What a new instance is: the image by digest plus who made it. */
export interface InstanceSpec {
  host: string;
  image: string;
  digest: Digest;
  sha?: string;
  deployId: string;
  previous?: Digest;
}

export interface LockInfo {
  owner: string;
  message: string;
  time: string;
  deployId: string;
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

export interface PullAuth { username?: string; password?: string; identitytoken?: string; serveraddress?: string }

/**
 * Where containers run. The rollout only speaks this; docker hosts implement it now,
 * swarm/kubernetes/gitops later (a gitops target's `start` is a commit, its `list` reads the cluster).
 */
export interface Target {
  readonly hosts: readonly string[];
  /** Fails clearly when a host cannot be reached, before anything is touched. */
  preflight(): Promise<void>;
  list(): Promise<Instance[]>;
  /** Makes the image present on a host (by digest). */
  pull(host: string, image: string, digest: Digest, auth?: PullAuth): Promise<void>;
  start(spec: InstanceSpec): Promise<Instance>;
  stop(inst: Instance): Promise<void>;
  remove(inst: Instance): Promise<void>;
  logs(inst: Instance, lines: number): Promise<string>;
  exec(inst: Instance, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }>;
  inspectHealth(inst: Instance): Promise<{ running: boolean; health?: Instance['health']; log?: string; exitCode?: number; startedAt?: string }>;
  /** Atomic per host; returns the holder when taken. */
  lock(host: string, info: LockInfo): Promise<LockInfo | undefined>;
  readLock(host: string): Promise<LockInfo | undefined>;
  unlock(host: string): Promise<void>;
  appendHistory(host: string, e: HistoryEntry): Promise<void>;
  readHistory(host: string): Promise<HistoryEntry[]>;
  /** Images of this app on a host with their digests. */
  images(host: string): Promise<{ id: string; digests: Digest[] }[]>;
  removeImage(host: string, id: string): Promise<void>;
  close(): Promise<void>;
}
