import type { Digest } from '@pipeline/core';
import type { Instance } from '../model/instance.js';
import type { HistoryEntry } from '../model/store.js';
import type { PruneResult, Target } from '../model/target.js';
import { lastResults } from './history.js';

export type { PruneResult };

/**
 * The versions worth keeping: the last `keep` good deployed ones (by the history, then by their newest
 * instance), always the running ones and their recorded rollback targets.
 */
export function keptVersions(all: readonly Instance[], past: HistoryEntry[], keep: number): { kept: Set<Digest>; rollbackTargets: Set<Digest> } {
  // A version counts by its last deploy in the history: one that failed or was rolled back is
  // not a version worth keeping over an older good one. Versions the history does not know
  // (older than it) follow by their newest instance.
  const lastResult = lastResults(past);
  const goodByHistory = [...new Set(past.filter((e) => e.result === 'ok').map((e) => e.to.digest))].filter((d) => lastResult.get(d) === 'ok');
  const newest = new Map<Digest, string>();
  for (const i of all) if ((newest.get(i.digest) ?? '') < i.createdAt) newest.set(i.digest, i.createdAt);
  const unknownByAge = [...newest].sort((a, b) => b[1].localeCompare(a[1])).map(([d]) => d).filter((d) => !lastResult.has(d));
  const kept = new Set<Digest>([...goodByHistory, ...unknownByAge].slice(0, keep));
  const rollbackTargets = new Set<Digest>();
  for (const i of all) {
    if (!i.running) continue;
    kept.add(i.digest);
    if (i.previous) {
      kept.add(i.previous);
      rollbackTargets.add(i.previous);
    }
  }
  return { kept, rollbackTargets };
}

/** Removes what old versions left on the target (see each target's prune). */
export function prune(target: Target, o: { keep: number }): Promise<PruneResult> {
  return target.prune(o);
}
