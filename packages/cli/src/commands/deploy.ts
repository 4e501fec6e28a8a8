import { DeployError, shortDigest } from '@pipeline/core';
import type { Command } from '../command.js';
import { str } from '../flags.js';
import { durationFlag, environmentName, ENV_FLAGS, ENV_HELP, recordedLines } from './deploy-env.js';
import { deployEnvironment } from './deploy-environment.js';

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
    'target: gitops: the deploy is a commit to the manifests repository (CI run link: PIPELINE_CI_RUN, else the CI\'s own),',
    '  verified by verify: and reverted by a second commit when that fails.',
    'Ctrl-C stops the rollout and releases the lock; the next deploy converges the hosts to one version.',
    'Exit: 0 deployed, 1 rolled back (the account says which host and probe) or locked, 2 bad input (nothing touched).',
  ],
  async run(ctx) {
    const r = await deployEnvironment({
      environment: environmentName(ctx.positionals),
      cwd: ctx.cwd,
      config: str(ctx.values.config),
      image: str(ctx.values.image),
      message: str(ctx.values.message),
      lockWait: durationFlag(ctx.values['lock-wait'], 'lock-wait'),
      prune: ctx.values['no-prune'] ? false : undefined,
      settings: { env: ctx.env, door: 'cli' },
      logger: ctx.logger,
      env: ctx.env,
    });
    if (r.result === 'rolled-back' || r.result === 'failed') throw new DeployError(r.account ?? `deploy to ${r.environment} ${r.result}`);
    ctx.result(
      { environment: r.environment, deployId: r.deployId, image: r.image, digest: r.digest, sha: r.sha, previous: r.previous, actor: r.actor, durationMs: r.durationMs, batches: r.batches, instances: r.instances, pruned: r.pruned, record: r.record },
      [
        `deployed ${shortDigest(r.digest)}${r.sha ? ` (${r.sha.slice(0, 12)})` : ''} to ${r.environment}: ${r.previous ? shortDigest(r.previous) : '(nothing)'} → ${shortDigest(r.digest)}, ${r.instances.length} instance(s) in ${(r.durationMs / 1000).toFixed(1)} s`,
          ...(r.result === 'unchanged' ? ['  already running it: nothing changed'] : []),
          ...(r.pruned && (r.pruned.containers.length || r.pruned.images.length) ? [`  pruned ${r.pruned.containers.length} container(s), ${r.pruned.images.length} image(s)`] : []),
          ...recordedLines(r.record),
      ].join('\n'),
    );
    return 0;
  },
};
export default command;
