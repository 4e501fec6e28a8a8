import type { Command } from '../command.js';
import { planBuild } from '../pipeline/plan.js';
import { readRecord } from '../pipeline/record.js';
import { openSession, selection, PIPELINE_FLAGS, PIPELINE_HELP } from '../pipeline/session.js';
import { str } from '../flags.js';

const command: Command = {
  name: 'plan',
  summary: 'Show what `pipeline build` would build from pipeline.yml, in order, and why',
  usage: 'pipeline plan [IMAGE…] [--config pipeline.yml]',
  options: { ...PIPELINE_FLAGS, tag: { type: 'string', short: 't', multiple: true }, 'cache-dir': { type: 'string' } },
  help: [...PIPELINE_HELP, '-t, --tag TAG              tags that replace the images\' own (also PIPELINE_TAGS; {sha} etc. allowed)', '    --cache-dir DIR        layer cache (default $XDG_CACHE_HOME/pipeline)'],
  async run(ctx) {
    const s = await openSession(ctx, ctx.positionals);
    const plan = await planBuild(s.cfg, await readRecord(s.cfg.dir), { git: s.git, cacheDir: str(ctx.values['cache-dir']), semver: s.semver, ...selection(s) });
    ctx.result(
      plan.map((p) => ({ name: p.name, action: p.action, reason: p.reason, tags: p.tags, version: p.version, parent: p.parent, depth: p.depth })),
      plan.map((p) => `${p.action === 'build' ? 'build' : 'skip '} ${p.name.padEnd(12)} ${p.reason}${p.action === 'build' ? `  → ${p.tags.join(', ') || '(no tags)'}` : ''}`).join('\n'),
    );
    return 0;
  },
};
export default command;
