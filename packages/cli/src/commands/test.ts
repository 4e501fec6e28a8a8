import { PipelineError } from '@pipeline/core';
import type { Command } from '../command.js';
import { loadBuilt } from '../pipeline/load.js';
import { readRecord, writeRecord } from '../pipeline/record.js';
import { testImage, testsFingerprint, testsRecordOf } from '../pipeline/tests.js';
import { openSession, PIPELINE_FLAGS, PIPELINE_HELP } from '../pipeline/session.js';
import { logins } from '../settings/index.js';

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
    const insecure = s.settings.insecure && s.settings.registry ? [s.settings.registry] : undefined;
    const registryLogins = logins(s.settings);
    for (const n of names) {
      const { image, digest } = await loadBuilt(s.cfg, n, { insecure, logins: registryLogins, env: ctx.env });
      const results = await ctx.logger.group(`test ${n}`, () => testImage(image, s.cfg.test[n], ctx.logger));
      all.push(...results.map((r) => ({ image: n, ...r })));
      // The outcome is remembered: the next `pipeline build` does not call a failed image up to date.
      const record = await readRecord(s.cfg.dir);
      if (record.images[n]?.digest === digest) {
        record.images[n].tests = testsRecordOf(testsFingerprint(s.cfg.test[n])!, digest, results);
        await writeRecord(s.cfg.dir, record);
      }
    }
    const failed = all.filter((r) => !r.ok);
    ctx.result({ results: all, passed: all.length - failed.length, failed: failed.length }, `${all.length - failed.length} passed, ${failed.length} failed`);
    if (failed.length) throw new PipelineError('test', `${failed.length} image test(s) failed: ${failed.map((f) => `${f.image}: ${f.name}`).join('; ')}`, { exitCode: 1 });
    return 0;
  },
};
export default command;
