import { unknownRuleIds, lintFails } from '@pipeline/build';
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command, CommandContext } from '../command.js';
import { list, str } from '../flags.js';
import { CONFIG_FILE, loadConfig, type PipelineConfig } from '../config/index.js';
import { resolveSettings } from '../settings/index.js';
import { lintDockerfiles, type LintFinding } from '../api/lint.js';

const exists = (p: string) => access(p).then(() => true, () => false);

/** --file wins; else every image of pipeline.yml (or the --image ones); else ./Dockerfile. */
async function targets(ctx: CommandContext, config: PipelineConfig | undefined, images: string[]): Promise<string[]> {
  const files = list(ctx.values.file).map((f) => resolve(ctx.cwd, f));
  if (files.length) return files;
  if (config) return [...new Set(images.map((n) => config.images[n].dockerfile))];
  return [resolve(ctx.cwd, 'Dockerfile')];
}

const command: Command = {
  name: 'lint',
  summary: 'Check Dockerfiles for signal handling, layer bloat, secrets and unpinned bases',
  usage: 'pipeline lint [--file Dockerfile]... [--config pipeline.yml] [--disable PL009] [--strict] [--json]',
  options: {
    file: { type: 'string', short: 'f', multiple: true },
    config: { type: 'string' },
    image: { type: 'string', multiple: true },
    disable: { type: 'string', multiple: true },
    strict: { type: 'boolean' },
  },
  help: [
    '-f, --file PATH      Dockerfile to check (repeatable; default: every image in pipeline.yml, else ./Dockerfile)',
    '    --config PATH    pipeline.yml (default ./pipeline.yml if present): lint.disable and lint.strict apply',
    '    --image NAME     only these images of pipeline.yml (repeatable)',
    '    --disable ID     skip a rule, e.g. PL009 (repeatable; adds to lint.disable)',
    '    --strict         warnings fail too (also PIPELINE_STRICT, lint.strict)',
    'Exit: 1 if any finding is an error (any finding at all with --strict), else 0.',
  ],
  async run(ctx: CommandContext) {
    const configPath = str(ctx.values.config);
    const defaultConfig = join(ctx.cwd, CONFIG_FILE);
    const config = configPath ? await loadConfig(resolve(ctx.cwd, configPath)) : (await exists(defaultConfig)) ? await loadConfig(defaultConfig) : undefined;
    for (const w of config?.warnings ?? []) ctx.logger.warn(`${w.position.file}:${w.position.line}:${w.position.column}: ${w.message}`);
    const settings = resolveSettings({ flags: { strict: ctx.values.strict ? true : undefined, images: list(ctx.values.image) }, env: ctx.env, config });
    const disable = [...(config?.lint.disable ?? []), ...list(ctx.values.disable)];
    const unknown = unknownRuleIds(disable);
    if (unknown.length) ctx.logger.warn(`unknown lint rule id(s) ${unknown.join(', ')}: they disable nothing`);
    const results: LintFinding[] = await lintDockerfiles(await targets(ctx, config, settings.images), { config, disable, cwd: ctx.cwd });
    const failed = lintFails(results, settings.strict);
    const errors = results.filter((f) => f.severity === 'error').length;
    const human = [
      ...results.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule} ${f.message}\n  fix: ${f.fix}`),
      `${errors} error(s), ${results.length - errors} warning(s)${settings.strict ? ' (strict: warnings fail)' : ''}`,
    ].join('\n');
    ctx.result({ findings: results, errors, warnings: results.length - errors, strict: settings.strict, failed }, human);
    return failed ? 1 : 0;
  },
};
export default command;
