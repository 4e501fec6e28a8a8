import type { Command, CommandContext } from './command.js';

/**
 * A command that Ctrl-C / SIGTERM stops cleanly: the first signal aborts `ctx.signal` (the command
 * stops its work and removes what it made), a second one exits at once (130).
 */
export function interruptibleCommand(cmd: Command, what: string): Command {
  return {
    ...cmd,
    async run(ctx: CommandContext) {
      const ac = new AbortController();
      const on = (sig: NodeJS.Signals) => {
        if (ac.signal.aborted) process.exit(130);
        ctx.logger.warn(`${sig}: stopping ${what} and removing what it made (again to quit at once)`);
        ac.abort(new Error(sig));
      };
      process.on('SIGINT', on);
      process.on('SIGTERM', on);
      try {
        return await cmd.run({ ...ctx, signal: ac.signal });
      } finally {
        process.off('SIGINT', on);
        process.off('SIGTERM', on);
      }
    },
  };
}
