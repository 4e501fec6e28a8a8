import { UsageError, quote } from '@pipeline/core';
import { lockStatus, releaseLock } from '@pipeline/deploy';
import type { Command } from '../command.js';
import { ENV_FLAGS, ENV_HELP, openEnvironment, targetFor } from './deploy-env.js';

const command: Command = {
  name: 'lock',
  summary: 'Show or release the deploy lock of an environment',
  usage: 'pipeline lock status|release ENVIRONMENT [--json]',
  options: { ...ENV_FLAGS },
  help: [...ENV_HELP, 'release frees the lock on every host: only for a deploy that is known to be dead.'],
  async run(ctx) {
    const [action, ...rest] = ctx.positionals;
    if (action !== 'status' && action !== 'release') throw new UsageError(`Expected lock status or lock release, got ${action === undefined ? 'nothing' : quote(action)}`, 'e.g. pipeline lock status production');
    const s = await openEnvironment(ctx, rest);
    const target = await targetFor(s, {}, ctx.env);
    try {
      const before = await lockStatus(target);
      const held = Object.entries(before).filter(([, l]) => l);
      if (action === 'status') {
        ctx.result({ environment: s.env.name, locked: held.length > 0, hosts: before }, held.length ? held.map(([h, l]) => `${h}: locked by ${l!.owner} since ${l!.time}: ${l!.message || '(no message)'} (deploy ${l!.deployId}${l!.machine ? ` on ${l!.machine} pid ${l!.pid}` : ''})`).join('\n') : `${s.env.name}: not locked`);
        return 0;
      }
      await releaseLock(target);
      if (held.length) ctx.logger.warn(`released the lock of ${held[0][1]!.owner} (deploy ${held[0][1]!.deployId}) on ${held.length} host(s)`);
      ctx.result({ environment: s.env.name, released: held.map(([h, l]) => ({ host: h, ...l })) }, held.length ? `released on ${held.map(([h]) => h).join(', ')}` : `${s.env.name}: was not locked`);
      return 0;
    } finally {
      await target.close();
    }
  },
};
export default command;
