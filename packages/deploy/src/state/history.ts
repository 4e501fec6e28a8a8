import type { HistoryEntry, StateStore } from '../model/store.js';

/** Each version's result the last time it was deployed to, from a newest-first history. */
export function lastResults(past: HistoryEntry[]): Map<HistoryEntry['to']['digest'], HistoryEntry['result']> {
  const out = new Map<HistoryEntry['to']['digest'], HistoryEntry['result']>();
  for (const e of past) if (!out.has(e.to.digest)) out.set(e.to.digest, e.result);
  return out;
}

/** The audit trail the target keeps, newest first. */
export function history(target: { store: StateStore }, limit = 50): Promise<HistoryEntry[]> {
  return target.store.read(limit);
}

/** Records an entry in the target's store (deploy() does this once per deploy). */
export async function record(target: { store: StateStore }, e: HistoryEntry): Promise<void> {
  await target.store.append(e);
}
