export type { Instance, InstanceHealth, InstanceRuntime } from './instance.js';
export type { HistoryEntry, HistoryStore, LockInfo, RecordReceipt, StateStore } from './store.js';
export type { Desired, Failure, PlanItem, PruneResult, PullAuth, RollbackOutcome, RolloutOutcome, RolloutPlan, RunOptions, Target, TargetKind, Version } from './target.js';
export type { EnvironmentStatus, InstanceStatus } from './status.js';
export type { DeployDiff } from './diff.js';
