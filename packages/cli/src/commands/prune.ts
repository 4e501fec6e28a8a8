import { shortDigest } from '@pipeline/core';
import { prune } from '@pipeline/deploy';
import type { Command } from '../command.js';
import { ENV_FLAGS, ENV_HELP, intFlag, openEnvironment, targetFor } from './deploy-env.js';

const command: Command = {
  name: 'prune',
  summary: 'Remove what old versions left (stopped containers and images on hosts; a Swarm\'s unused secrets and old history), keeping the last N versions and the rollback target',
  usage: 'pipeline prune ENVIRONMENT [--keep N] [--json]',
  options: { keep: { type: 'string' }, ...ENV_FLAGS },
  help: ['    --keep N               versions to keep (default: the environment\'s prune.keep, 3)', ...ENV_HELP],
  async run(ctx) {
    const s = await openEnvironment(ctx);
    const keep = intFlag(ctx.values.keep, 'keep', 1) ?? s.env.prune.keep;
    const target = await targetFor(s, {}, ctx.env);
    try {
      const r = await prune(target, { keep });
      ctx.result({ environment: s.env.name, keep, ...r }, [
        `kept ${r.kept.length} version(s): ${r.kept.map((d) => shortDigest(d)).join(', ') || '(none)'}`,
        `removed ${r.containers.length} container(s), ${r.images.length} image(s)${r.objects ? `, ${r.objects.length} other object(s)` : ''}`,
        ...r.containers.map((c) => `  container ${c}`),
        ...r.images.map((i) => `  image ${i}`),
        ...(r.objects ?? []).map((o) => `  ${o}`),
      ].join('\n'));
      return 0;
    } finally {
      await target.close();
    }
  },
};
export default command;
