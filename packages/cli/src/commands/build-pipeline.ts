import type { CommandContext } from '../command.js';
import { runPipeline } from '../pipeline/run.js';
import { openSession, selection } from '../pipeline/session.js';
import { logins } from '../settings/index.js';
import { str } from '../flags.js';

/** `pipeline build` in a repo with pipeline.yml: every changed image, bases first; tested, then pushed with --push. */
export async function buildPipeline(ctx: CommandContext, images: string[]): Promise<number> {
  const s = await openSession(ctx, images);
  const push = !!ctx.values.push;
  const { only, tags } = selection(s);
  const outcomes = await runPipeline(s.cfg, {
    git: s.git,
    push,
    registry: s.settings.registry ? { url: s.settings.registry, namespace: s.settings.namespace, insecure: s.settings.insecure } : undefined,
    test: !ctx.values['no-test'],
    only,
    tags,
    logins: logins(s.settings),
    force: !!ctx.values.force,
    cacheDir: str(ctx.values['cache-dir']),
    logger: ctx.logger,
    env: ctx.env,
    semver: s.semver,
  });
  ctx.result(
    { images: outcomes },
    outcomes.map((o) => `${o.action === 'built' ? 'built  ' : 'skipped'} ${o.name.padEnd(12)} ${o.digest ?? ''}  ${o.action === 'built' ? o.tags.join(', ') : o.reason}`).join('\n'),
  );
  return 0;
}
