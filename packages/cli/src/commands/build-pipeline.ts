import type { CommandContext } from '../command.js';
import { runPipeline } from '../api/run-pipeline.js';
import type { ImageOutcome } from '../pipeline/run.js';
import { openSession } from '../pipeline/session.js';
import { cacheDirFlag } from '../flags.js';

const short = (d?: string) => (d ? d.replace(/^sha256:/, '').slice(0, 12) : '');

function line(o: ImageOutcome): string {
  const tests = o.tests.length ? `tests ${o.tests.filter((t) => t.ok).length}/${o.tests.length} ok (${o.testsReason})` : o.testsReason && o.testsReason !== 'no tests' ? `tests ${o.testsReason}` : '';
  const pushed = o.pushed ? (o.pushed.tags.length ? `pushed ${o.pushed.tags.join(', ')}` : 'pushed tests record') : '';
  return [`${o.action.padEnd(7)} ${o.name.padEnd(12)} ${short(o.digest).padEnd(12)}  ${o.reason}`, tests, pushed].filter(Boolean).join('; ');
}

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
  ctx.result({ images: outcomes }, outcomes.map(line).join('\n'));
  return 0;
}
