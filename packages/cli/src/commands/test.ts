import { PipelineError } from '@pipeline/core';
import type { Command } from '../command.js';
import { loadBuilt, testImage } from '../pipeline/run.js';
import { openSession, PIPELINE_FLAGS, PIPELINE_HELP } from '../pipeline/session.js';

const command: Command = {
  name: 'test',
  summary: 'Run the tests pipeline.yml declares against the last built images (structure, commands, smoke boot)',
  usage: 'pipeline test [IMAGE…] [--config pipeline.yml]',
  options: { ...PIPELINE_FLAGS },
  help: PIPELINE_HELP,
  async run(ctx) {
    const s = await openSession(ctx, ctx.positionals);
    const names = s.settings.images.filter((n) => s.cfg.test[n]);
    const all: { image: string; name: string; ok: boolean; detail?: string }[] = [];
    for (const n of names) {
      const image = await loadBuilt(s.cfg, n);
      const results = await ctx.logger.group(`test ${n}`, () => testImage(image, s.cfg.test[n], ctx.logger));
      all.push(...results.map((r) => ({ image: n, ...r })));
    }
    const failed = all.filter((r) => !r.ok);
    ctx.result({ results: all, passed: all.length - failed.length, failed: failed.length }, `${all.length - failed.length} passed, ${failed.length} failed`);
    if (failed.length) throw new PipelineError('test', `${failed.length} image test(s) failed: ${failed.map((f) => `${f.image}: ${f.name}`).join('; ')}`, { exitCode: 1 });
    return 0;
  },
};
export default command;
