import { shortDigest } from '@pipeline/core';
import { deploy, openTarget } from '@pipeline/deploy';
import type { Command } from '../command.js';
import { str } from '../flags.js';
import { actorFor, durationFlag, ENV_FLAGS, ENV_HELP, imageFor, openEnvironment, preflight, pullAuth, recorded, recordedLines } from './deploy-env.js';

const command: Command = {
  name: 'deploy',
  summary: 'Roll the pushed image onto an environment; roll the whole fleet back if a probe fails',
  usage: 'pipeline deploy ENVIRONMENT [--image REPO@sha256:…] [--lock-wait DURATION] [--message M] [--no-prune] [--json]',
  options: {
    image: { type: 'string', short: 'i' },
    'lock-wait': { type: 'string' },
    message: { type: 'string', short: 'm' },
    'no-prune': { type: 'boolean' },
    ...ENV_FLAGS,
  },
  help: [
    '-i, --image REF@DIGEST     what to deploy (default: the digest the last pipeline build --push recorded)',
    '    --lock-wait DURATION   wait this long for another deploy\'s lock, e.g. 5m (default: the environment\'s lock.wait)',
    '-m, --message TEXT         why: kept in the lock and the history',
    '    --no-prune             keep old containers and images this time (prune.auto)',
    ...ENV_HELP,
    'Who: PIPELINE_ACTOR, GITHUB_ACTOR, GITLAB_USER_LOGIN, CI_COMMIT_AUTHOR, DRONE_COMMIT_AUTHOR…, else the git author.',
    'Ctrl-C stops the rollout and releases the lock; the next deploy converges the hosts to one version.',
    'Exit: 0 deployed, 1 rolled back (the account says which host and probe) or locked, 2 bad input (nothing touched).',
  ],
  async run(ctx) {
    const s = await openEnvironment(ctx);
    const { image, digest, sha } = await imageFor(s, str(ctx.values.image), ctx.env);
    const lockWait = durationFlag(ctx.values['lock-wait'], 'lock-wait');
    const secrets = await preflight(s, ctx.env);
    const actor = await actorFor(ctx.env, s.cfg.dir);
    const auth = await pullAuth(image, ctx.env);
    const target = openTarget(s.env, image, secrets);
    try {
      const { result: r, record } = await recorded(s, target, actor, digest, ctx.logger, (signal) =>
        deploy({ env: s.env, image, sha, actor, message: str(ctx.values.message), logger: ctx.logger, signal, lockWait, auth, secrets, target, prune: ctx.values['no-prune'] ? false : undefined }),
      );
      ctx.result(
        { environment: s.env.name, deployId: r.deployId, image, digest: r.digest, sha, previous: r.previous, actor, durationMs: r.durationMs, batches: r.plan.batches.length, instances: r.instances.map((i) => ({ host: i.host, name: i.name, digest: i.digest, port: i.port })), pruned: r.pruned, record },
        [
          `deployed ${shortDigest(r.digest)}${sha ? ` (${sha.slice(0, 12)})` : ''} to ${s.env.name}: ${r.previous ? shortDigest(r.previous) : '(nothing)'} → ${shortDigest(r.digest)}, ${r.instances.length} instance(s) in ${(r.durationMs / 1000).toFixed(1)} s`,
          ...(r.plan.batches.length ? [] : ['  already running it: nothing changed']),
          ...(r.pruned && (r.pruned.containers.length || r.pruned.images.length) ? [`  pruned ${r.pruned.containers.length} container(s), ${r.pruned.images.length} image(s)`] : []),
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
