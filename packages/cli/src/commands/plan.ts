import type { Command } from '../command.js';
import { planBuild, type PlannedImage, type TagPlan } from '../pipeline/plan.js';
import { inputTimes } from '../pipeline/input-time.js';
import { readRecord } from '../pipeline/record.js';
import { openSession, registryOf, selection, PIPELINE_FLAGS, PIPELINE_HELP } from '../pipeline/session.js';
import { logins } from '../settings/index.js';
import { cacheDirFlag } from '../flags.js';

const short = (d?: string) => (d ?? '').replace(/^sha256:/, '').slice(0, 12);

function tagText(t: TagPlan): string {
  switch (t.state) {
    case 'new':
      return `${t.tag} (new)`;
    case 'same':
      return `${t.tag} (unchanged)`;
    case 'moves':
      return `${t.tag} (moves from ${short(t.from)})`;
    case 'check':
      return `${t.tag} (immutable, at ${short(t.from)}: must be this image)`;
    case 'conflict':
      return `${t.tag} (CONFLICT: immutable, at ${short(t.from)})`;
    case 'unknown':
      return `${t.tag} (registry not read)`;
  }
}

function human(p: PlannedImage, push: boolean): string {
  const lines = [`${p.action.padEnd(6)} ${p.name.padEnd(12)} ${p.reason}`];
  if (p.tags.length) lines.push(`         tags: ${p.tags.map(tagText).join(', ')}`);
  else if (p.missing.length) lines.push(`         tags: the unique tag needs {${p.missing.join('}, {')}}`);
  lines.push(`         tests: ${p.tests.run ? `run (${p.tests.reason})` : p.tests.reason}`);
  if (push && p.tags.every((t) => t.state === 'same') && p.action !== 'skip') lines.push('         push: nothing (the registry has it, tagged)');
  return lines.join('\n');
}

const command: Command = {
  name: 'plan',
  summary: 'Show what `pipeline build` would build, test, tag (new, moved) and why – nothing is built or pushed',
  usage: 'pipeline plan [IMAGE…] [--config pipeline.yml] [--push]',
  options: { ...PIPELINE_FLAGS, tag: { type: 'string', short: 't', multiple: true }, 'cache-dir': { type: 'string' }, push: { type: 'boolean' }, 'no-test': { type: 'boolean' }, force: { type: 'boolean' } },
  help: [
    ...PIPELINE_HELP,
    '-t, --tag TAG              tags that replace the images\' own (also PIPELINE_TAGS; {sha} etc. allowed)',
    '    --cache-dir DIR        layer cache (default $XDG_CACHE_HOME/pipeline)',
    '    --push                 plan a `build --push` (the registry must answer)',
    '    --no-test              plan without tests',
    '    --force                plan moving immutable tags',
  ],
  async run(ctx) {
    const s = await openSession(ctx, ctx.positionals);
    const times = inputTimes(s.cfg, { git: s.git, env: ctx.env, logger: ctx.logger });
    try {
      const plan = await planBuild(s.cfg, await readRecord(s.cfg.dir), {
        git: s.git,
        cacheDir: cacheDirFlag(ctx.values['cache-dir'], ctx.cwd),
        ...selection(s),
        semver: s.semver,
        logins: logins(s.settings),
        registry: registryOf(s),
        push: !!ctx.values.push,
        test: !ctx.values['no-test'],
        force: !!ctx.values.force,
        immutableTags: s.settings.immutableTags,
        buildId: s.settings.buildId,
        times,
        env: ctx.env,
        logger: ctx.logger,
      });
      ctx.result(
        plan.map((p) => ({
          name: p.name,
          action: p.action,
          reason: p.reason,
          inputs: p.inputs,
          digest: p.have?.digest,
          tags: p.tags.map((t) => t.tag),
          tagPlan: p.tags.map(({ tag, kind, immutable, state, from }) => ({ tag, kind, immutable, state, from })),
          tests: { run: p.tests.run, reason: p.tests.reason },
          version: p.version,
          parent: p.parent,
          depth: p.depth,
        })),
        plan.map((p) => human(p, !!ctx.values.push)).join('\n'),
      );
      const conflicts = plan.filter((p) => p.action !== 'skip').flatMap((p) => p.tags.filter((t) => t.state === 'conflict').map((t) => `${p.name}:${t.tag}`));
      if (conflicts.length) {
        ctx.logger.warn(`a build would stop (exit 2, nothing pushed): immutable tag(s) would have to move: ${conflicts.join(', ')}`);
        return 2;
      }
      return 0;
    } finally {
      times.close();
    }
  },
};
export default command;
