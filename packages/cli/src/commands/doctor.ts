import { mask } from '@pipeline/core';
import type { Command } from '../command.js';
import { settingFlags } from '../flags.js';
import { ciFiles } from '../settings/index.js';
import { runDoctor } from '../doctor/run.js';
import type { Check } from '../doctor/check.js';

const LABEL: Record<Check['status'], string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

export function formatChecks(checks: Check[]): string {
  const lines = checks.flatMap((c) => [`${LABEL[c.status].padEnd(4)}  ${c.area.padEnd(10)}  ${c.name}: ${c.detail}`, ...(c.fix && c.status !== 'ok' && c.status !== 'skip' ? [`${' '.repeat(18)}fix: ${c.fix}`] : [])]);
  const n = (st: Check['status']) => checks.filter((c) => c.status === st).length;
  lines.push(`doctor: ${n('ok')} ok, ${n('warn')} warning(s), ${n('fail')} failure(s)${n('skip') ? `, ${n('skip')} not needed` : ''}`);
  return lines.join('\n');
}

const command: Command = {
  name: 'doctor',
  summary: 'Check what a first run needs: git, pipeline.yml, registries and logins, clock, engine, deploy hosts, TLS files',
  usage: 'pipeline doctor [--config FILE] [-f Dockerfile] [--context DIR] [--image REPO] [--registry HOST] [--json]',
  options: {
    config: { type: 'string' },
    file: { type: 'string', short: 'f' },
    context: { type: 'string', short: 'c' },
    image: { type: 'string', short: 'i' },
    registry: { type: 'string' },
    insecure: { type: 'boolean' },
    executor: { type: 'string' },
  },
  help: [
    '    --config FILE          pipeline.yml (default: ./pipeline.yml)',
    '-f, --file PATH            the Dockerfile, for a run without pipeline.yml (default: CONTEXT/Dockerfile)',
    '-c, --context DIR          its context (default .)',
    '-i, --image REPO           the repository a single-Dockerfile run pushes to',
    '    --registry HOST        the registry to push to (else the settings: PIPELINE_REGISTRY, PLUGIN_*, pipeline.yml, CI_REGISTRY)',
    '    --insecure             the registry speaks plain HTTP',
    '    --executor NAME        native | engine | chroot (engine needs the Docker socket)',
    'Checks: the git checkout and commit; pipeline.yml (or the Dockerfile); each registry a run pushes to or pulls from,',
    'with the credentials a run would use and where they come from (flag, env, config.json, a credential helper);',
    'the registry\'s clock against ours; the engine socket when an image or a test needs it; each deploy host; TLS files.',
    'Nothing is pushed or deployed. Exit: 0 no failure (warnings allowed), 1 something a first run needs is missing.',
  ],
  async run(ctx) {
    // In a CI plugin step, the files the CI wrote (.tags) are not changes, as for the plugin itself.
    const checks = await runDoctor({ flags: settingFlags(ctx.values), env: ctx.env, door: 'cli', cwd: ctx.cwd, ciFiles: ciFiles(ctx.env) }, ctx.cwd, ctx.env);
    const failed = checks.some((c) => c.status === 'fail');
    ctx.result({ ok: !failed, checks: checks.map((c) => ({ ...c, detail: mask(c.detail) })) }, formatChecks(checks));
    return failed ? 1 : 0;
  },
};
export default command;
