import type { Digest, Logger } from '@pipeline/core';
import type { DeployEnvironment } from '../config/types.js';
import type { DeployDiff } from './diff.js';
import type { Instance } from './instance.js';
import type { EnvironmentStatus } from './status.js';
import type { StateStore } from './store.js';

export type TargetKind = 'docker' | 'swarm' | 'gitops';

/** A version of the app: the image by digest, the git SHA that built it. */
export interface Version { digest: Digest; sha?: string; image?: string }

/** What a rollout puts in place. */
export interface Desired {
  /** `registry/repo` the digest is pulled from. */
  image: string;
  digest: Digest;
  sha?: string;
  deployId: string;
  /** The version it replaces (kept as the rollback target). */
  previous?: Version;
  /** Who, why and from where: a target that writes its own record (a commit) says so there. */
  actor?: string;
  kind?: 'deploy' | 'rollback';
  message?: string;
  /** The CI run that deploys, when known (a link). */
  ciRun?: string;
}

export interface PullAuth { username?: string; password?: string; identitytoken?: string; serveraddress?: string }

export interface RunOptions {
  logger: Logger;
  /** Ctrl-C: stop waiting, leave a state the next deploy (or `pipeline status`) converges. */
  signal?: AbortSignal;
  /** Called after each step, so tests can interrupt a deploy at every step. */
  onStep?: (step: string) => void | Promise<void>;
  auth?: PullAuth;
}

/** One replacement: start a new instance on `host` and/or stop the named old one (a Swarm service update is one item). */
export interface PlanItem { host: string; start: boolean; stop?: string }

/** Plain data: what a rollout to `digest` does, step by step. Tested for exact equality. */
export interface RolloutPlan {
  digest: Digest;
  order: 'start-first' | 'stop-first';
  batches: PlanItem[][];
  /** Instances already at the digest and kept as they are. */
  keep: string[];
}

/** Why a rollout failed, in the words of the account a user reads. */
export interface Failure {
  /** `batch 1/3`, `the watch window after the last batch`, `service web (2/2)`, `verify`. */
  where: string;
  /** What failed, in order: `{ host, container }`, `{ service, task, state }`. */
  at: Record<string, string>;
  probe: string;
  output: string;
  /** The last log lines of what failed. */
  logs: string;
}

export type RolloutOutcome =
  | { ok: true; plan: RolloutPlan }
  | { ok: false; plan: RolloutPlan; failure: Failure };

export interface RollbackOutcome {
  ok: boolean;
  /** The version gone back to; none when there was nothing before (the new instances were stopped). */
  to?: Digest;
  ms: number;
  /** Instances verified on `to`. */
  instances: number;
  error?: string;
  /** `every host`, `every service`: what went back, for the account. */
  scope: string;
}

/**
 * Where a deploy puts a version: Docker hosts (containers + rollout plan + traffic switch), a Swarm
 * (services updated by Swarm, verified from outside), a manifests repository (a commit, verified).
 * `deploy()` speaks only this: lock and history through `store`, the rest through these calls.
 *
 * A new kind plugs in at three places: its config (an `EnvironmentBase` + `target: 'kind'` in
 * config/types.ts, its parser in config/parse.ts's KINDS), its class here under target/<kind>/, and
 * the case in open.ts's openTarget. Its instances are whatever names the version (a container, a task,
 * an edit in a manifest file: address '', port 0 where nothing listens); `rollout` resolves a verdict
 * (`ok: false` with the account's Failure, never an exception for a failing version); `rollback` is
 * called right after a failed rollout, on the same object; `store` keeps history where the target
 * lives (holder containers, Swarm configs, commits), and deploy() appends each entry exactly once.
 */
export interface Target {
  readonly kind: TargetKind;
  /** Lock and history, kept with the target. */
  readonly store: StateStore;
  /** Fails clearly (DeployError, exit 2) when the target cannot be reached, before anything is touched. */
  preflight(): Promise<void>;
  /** The current state: every instance, running or kept for rollback. */
  list(): Promise<Instance[]>;
  /** Puts `want` in place and verifies it: resolves a verdict (a failing version is not an exception). */
  rollout(want: Desired, run: RunOptions): Promise<RolloutOutcome>;
  /** After a failed rollout: every instance back to `to` (or the failed ones stopped when there is none), verified. */
  rollback(to: Version | undefined, failed: Desired, run: RunOptions): Promise<RollbackOutcome>;
  /** What runs, its health now (the environment's probes), the lock. `all`: stopped instances too. */
  status(o?: { all?: boolean }): Promise<EnvironmentStatus>;
  /** What a rollout of `digest` (built from `sha`) would change, values never shown; with `env` (same kind), against those settings instead of the target's own. */
  diff(digest: Digest, env?: DeployEnvironment, sha?: string): Promise<DeployDiff>;
  /** Removes what old versions left, keeping the last `keep` good versions and the rollback target. */
  prune(o: { keep: number }): Promise<PruneResult>;
  /** Ends connections (ssh, kept-alive TLS). */
  close(): Promise<void>;
}

export interface PruneResult {
  containers: string[];
  images: string[];
  kept: Digest[];
  /** Other objects removed (a Swarm's unused secrets and old history configs). */
  objects?: string[];
}
