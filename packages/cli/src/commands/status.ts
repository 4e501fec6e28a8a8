import { shortDigest, type Digest } from '@pipeline/core';
import { formatStatus, history, isStale, lastResults, openTarget, rollback, status, type EnvironmentStatus, type HistoryEntry } from '@pipeline/deploy';
import type { Command } from '../command.js';
import { actorFor, ENV_FLAGS, ENV_HELP, openEnvironment, preflight, pullAuth, recorded, recordsFor, repositoryFor, targetFor } from './deploy-env.js';

/**
 * Which version a mixed fleet (an interrupted deploy) goes to: the newest version whose last deploy in
 * the history ended ok (the interrupted one never was verified) among those running and their recorded
 * rollback targets (a Swarm may have replaced every task before the kill), else the one most instances run.
 */
export function convergeTarget(st: EnvironmentStatus, past: HistoryEntry[], rollbackTargets: Digest[] = []): Digest | undefined {
  if (!st.mixed) return undefined;
  const last = lastResults(past);
  const candidates = new Set<Digest>([...st.versions.map((v) => v.digest), ...rollbackTargets]);
  const good = past.find((e) => last.get(e.to.digest) === 'ok' && candidates.has(e.to.digest));
  return good?.to.digest ?? st.versions[0]?.digest;
}

/** The line after an interrupted deploy: what was converged, or how to converge. */
export function convergeNote(converged: { from: Digest[]; to: Digest } | undefined, mixed: boolean, locked: boolean): string {
  if (converged) return `converged: ${converged.from.map((d) => shortDigest(d)).join(' + ')} → ${shortDigest(converged.to)}`;
  return mixed && !locked ? 'run without --report-only to converge' : '';
}

const command: Command = {
  name: 'status',
  summary: 'Per host, per container: digest, git SHA, health, uptime; who holds the lock; converges an interrupted deploy',
  usage: 'pipeline status ENVIRONMENT [--all] [--report-only] [--json]',
  options: { all: { type: 'boolean' }, 'report-only': { type: 'boolean' }, ...ENV_FLAGS },
  help: [
    '    --all                  stopped containers too (the rollback targets)',
    '    --report-only          when an interrupted deploy left versions mixed, only say so (default: converge',
    '                           to the last good running version, with the probes and lock of a deploy)',
    ...ENV_HELP,
  ],
  async run(ctx) {
    const s = await openEnvironment(ctx);
    const target = await targetFor(s, {}, ctx.env);
    try {
      let st = await status(target, { all: !!ctx.values.all });
      // A live lock is a deploy in progress: leave it be. A stale one (its process is gone, or
      // older than lock.stale) is what an interrupted deploy leaves; the rollback breaks it.
      const locked = Object.values(st.lock).some((l) => l && !isStale(l, s.env.lock.stale));
      let converged: { from: Digest[]; to: Digest; deployId: string } | undefined;
      // The history is read only for a mixed fleet: reading it may create the state holder on a host.
      const to = st.mixed ? convergeTarget(st, await history(target, 200), (await target.list()).flatMap((i) => (i.running && i.previous ? [i.previous] : []))) : undefined;
      if (to && !ctx.values['report-only'] && !locked) {
        ctx.logger.info(`${s.env.name}: versions are mixed (${st.versions.map((v) => `${shortDigest(v.digest)}×${v.running}`).join(', ')}): an interrupted deploy; converging to ${shortDigest(to)}`);
        const secrets = await preflight(s, ctx.env);
        const actor = await actorFor(ctx.env, s.cfg.dir);
        const repo = await repositoryFor(s);
        const auth = repo ? await pullAuth(repo, ctx.env) : undefined;
        const deployTarget = openTarget(s.env, repo, secrets, { vars: ctx.env });
        try {
          const { result } = await recorded(ctx.logger, (signal) =>
            rollback({ env: s.env, to, image: repo, actor, message: 'pipeline status: converge an interrupted deploy', logger: ctx.logger, signal, auth, secrets, target: deployTarget, records: recordsFor(s, ctx.logger) }),
          );
          converged = { from: st.versions.map((v) => v.digest), to, deployId: result.deployId };
        } finally {
          await deployTarget.close();
        }
        st = await status(target, { all: !!ctx.values.all });
      }
      const locks = Object.entries(st.lock).filter(([, l]) => l).map(([h, l]) => `locked on ${h} by ${l!.owner} since ${l!.time}: ${l!.message} (deploy ${l!.deployId})`);
      const count = Object.values(st.hosts).reduce((n, xs) => n + xs.filter((x) => x.running).length, 0);
      const note = convergeNote(converged, st.mixed, locked);
      ctx.result({ environment: s.env.name, ...st, converged }, [`${s.env.name}: ${count} running`, formatStatus(st), note, ...locks].filter(Boolean).join('\n'));
      return 0;
    } finally {
      await target.close();
    }
  },
};
export default command;
