import { shortDigest } from '@pipeline/core';
import { history, type HistoryEntry } from '@pipeline/deploy';
import type { Command } from '../command.js';
import { ENV_FLAGS, ENV_HELP, intFlag, openEnvironment, targetFor } from './deploy-env.js';

const version = (v: { digest: HistoryEntry['to']['digest']; sha?: string }) => `${shortDigest(v.digest)}${v.sha ? ` (${v.sha.slice(0, 12)})` : ''}`;

export function formatHistory(entries: HistoryEntry[], where = 'the hosts'): string {
  if (!entries.length) return `no deploys recorded on ${where}`;
  return entries.map((e) => `${e.startedAt}  ${e.kind.padEnd(8)} ${e.result.padEnd(11)} ${e.from ? version(e.from) : '(nothing)'} → ${version(e.to)}  by ${e.actor}  ${(e.durationMs / 1000).toFixed(1)} s  ${e.deployId}${e.message ? `  "${e.message}"` : ''}`).join('\n');
}

const command: Command = {
  name: 'history',
  summary: 'The audit trail: who deployed what (from → to digest and SHA), when, result, duration',
  usage: 'pipeline history ENVIRONMENT [--limit N] [--json]',
  options: { limit: { type: 'string', short: 'n' }, ...ENV_FLAGS },
  help: ['-n, --limit N              newest N entries (default 20)', ...ENV_HELP],
  async run(ctx) {
    const s = await openEnvironment(ctx);
    const limit = intFlag(ctx.values.limit, 'limit', 1) ?? 20;
    const target = await targetFor(s, {}, ctx.env);
    try {
      const entries = await history(target, limit);
      ctx.result({ environment: s.env.name, entries }, formatHistory(entries, target.store.where));
      return 0;
    } finally {
      await target.close();
    }
  },
};
export default command;
