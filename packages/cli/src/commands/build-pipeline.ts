import type { CommandContext } from '../command.js';
import { runPipeline } from '../api/run-pipeline.js';
import { openSession } from '../pipeline/session.js';
import { cacheDirFlag } from '../flags.js';

/** `pipeline build` in a repo with pipeline.yml: every changed image, bases first; tested, then pushed with --push. */
export async function buildPipeline(ctx: CommandContext, images: string[]): Promise<number> {
  const cacheDir = cacheDirFlag(ctx.values['cache-dir'], ctx.cwd);
  const session = await openSession(ctx, images);
  const { images: outcomes } = await runPipeline({
    session,
    push: !!ctx.values.push,
    test: !ctx.values['no-test'],
    force: !!ctx.values.force,
    cacheDir,
    logger: ctx.logger,
    env: ctx.env,
    signal: ctx.signal,
  });
  ctx.result(
    { images: outcomes },
    outcomes.map((o) => `${o.action === 'built' ? 'built  ' : 'skipped'} ${o.name.padEnd(12)} ${o.digest ?? ''}  ${o.action === 'built' ? o.tags.join(', ') : o.reason}`).join('\n'),
  );
  return 0;
}
