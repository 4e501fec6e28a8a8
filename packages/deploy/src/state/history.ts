import type { HistoryEntry, Target } from '../target/target.js';

/** Records on every host, so any one host tells the story. Failures to record never hide the deploy's result. */
export async function record(target: Target, e: HistoryEntry): Promise<void> {
  await Promise.allSettled(target.hosts.map((h) => target.appendHistory(h, e)));
}

/** Each version's result the last time it was deployed to, from a newest-first history. */
export function lastResults(past: HistoryEntry[]): Map<HistoryEntry['to']['digest'], HistoryEntry['result']> {
  const out = new Map<HistoryEntry['to']['digest'], HistoryEntry['result']>();
  for (const e of past) if (!out.has(e.to.digest)) out.set(e.to.digest, e.result);
  return out;
}

/** The audit trail merged from all hosts, newest first. */
export async function history(target: Target, limit = 50): Promise<HistoryEntry[]> {
  const all = new Map<string, HistoryEntry>();
  for (const h of target.hosts) {
    for (const e of await target.readHistory(h).catch(() => [] as HistoryEntry[])) all.set(`${e.deployId}/${e.kind}`, e);
  }
  return [...all.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, limit);
}
