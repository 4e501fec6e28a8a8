import { shortDigest } from '@pipeline/core';
import { openTarget, rollback } from '@pipeline/deploy';
import type { Command } from '../command.js';
import { str } from '../flags.js';
import { durationFlag, ENV_FLAGS, ENV_HELP, openEnvironment, preflight, pullAuth, recorded, recordedLines, recordsFor, repositoryFor } from './deploy-env.js';
import { resolveFacts } from '../settings/index.js';

const command: Command = {
  name: 'rollback',
  summary: 'Go back to the previous version (or --to one), with the same probes, batches and lock as a deploy',
  usage: 'pipeline rollback ENVIRONMENT [--to SHA|DIGEST] [--lock-wait DURATION] [--message M] [--json]',
  options: {
    to: { type: 'string' },
    'lock-wait': { type: 'string' },
    message: { type: 'string', short: 'm' },
    ...ENV_FLAGS,
  },
  help: [
    '    --to SHA|DIGEST        a git SHA (or prefix) or sha256:… from the containers or the history (default: the version before the running one)',
    '    --lock-wait DURATION   wait this long for another deploy\'s lock',
    '-m, --message TEXT         why: kept in the lock and the history',
    ...ENV_HELP,
    'Exit: 0 rolled back, 1 the rollback itself failed its probes (and was undone) or locked, 2 no such version.',
  ],
  async run(ctx) {
    const s = await openEnvironment(ctx);
    const lockWait = durationFlag(ctx.values['lock-wait'], 'lock-wait');
    const secrets = await preflight(s, ctx.env);
    const { actor, runUrl } = await resolveFacts({ env: ctx.env }, s.cfg.dir);
    const repo = await repositoryFor(s);
    const target = openTarget(s.env, repo, secrets, { vars: ctx.env });
    try {
      const auth = repo ? await pullAuth(repo, ctx.env) : undefined;
      const records = recordsFor(s, ctx.logger);
      const { result: r, record } = await recorded(ctx.logger, (signal) =>
        rollback({ env: s.env, to: str(ctx.values.to), image: repo, actor, ciRun: runUrl, message: str(ctx.values.message), logger: ctx.logger, signal, lockWait, auth, secrets, target, records }),
      );
      ctx.result(
        { environment: s.env.name, deployId: r.deployId, digest: r.digest, previous: r.previous, actor, durationMs: r.durationMs, instances: r.instances.map((i) => ({ host: i.host, name: i.name, digest: i.digest, sha: i.sha, port: i.port })), record },
        [
          `rolled ${s.env.name} back: ${r.previous ? shortDigest(r.previous) : '(nothing)'} → ${shortDigest(r.digest)}${r.instances[0]?.sha ? ` (${r.instances[0].sha})` : ''}, ${r.instances.length} instance(s) in ${(r.durationMs / 1000).toFixed(1)} s`,
          ...recordedLines(record),
        ].join('\n'),
      );
      return 0;
    } finally {
      await target.close();
    }
  },
};
export default command;
