import { formatStatus, status } from '@pipeline/deploy';
import type { Command } from '../command.js';
import { ENV_FLAGS, ENV_HELP, openEnvironment, targetFor } from './deploy-env.js';

const command: Command = {
  name: 'status',
  summary: 'Per host, per container: digest, git SHA, health, uptime; and who holds the deploy lock',
  usage: 'pipeline status ENVIRONMENT [--all] [--json]',
  options: { all: { type: 'boolean' }, ...ENV_FLAGS },
  help: ['    --all                  stopped containers too (the rollback targets)', ...ENV_HELP],
  async run(ctx) {
    const s = await openEnvironment(ctx);
    const target = await targetFor(s);
    try {
      const st = await status(target, { all: !!ctx.values.all });
      const locks = Object.entries(st.lock).filter(([, l]) => l).map(([h, l]) => `locked on ${h} by ${l!.owner} since ${l!.time}: ${l!.message} (deploy ${l!.deployId})`);
      const count = Object.values(st.hosts).reduce((n, xs) => n + xs.filter((x) => x.running).length, 0);
      ctx.result({ environment: s.env.name, ...st }, [`${s.env.name}: ${count} running`, formatStatus(st), ...locks].filter(Boolean).join('\n'));
      return 0;
    } finally {
      await target.close();
    }
  },
};
export default command;
