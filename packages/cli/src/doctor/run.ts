import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isPipelineError } from '@pipeline/core';
import { parseDockerfile, type Dockerfile } from '@pipeline/build';
import { CONFIG_FILE, loadConfig, type PipelineConfig } from '../config/index.js';
import { resolveSettings, type SettingsInput } from '../settings/index.js';
import { wantsSingleImage } from '../settings/resolve.js';
import { check, why, type Check } from './check.js';
import { checkEngine, checkHost } from './engine.js';
import { checkGit } from './git.js';
import { planChecks } from './plan.js';
import { checkClock, checkRegistry } from './registry.js';
import { checkTlsFile } from './tls.js';

const message = (e: unknown) => (isPipelineError(e) ? e.format().split('\n')[0] : why(e));
const hint = (e: unknown) => (isPipelineError(e) ? e.hint : undefined);

async function dockerfile(file: string, label: string): Promise<{ df?: Dockerfile; check: Check }> {
  try {
    const df = parseDockerfile(await readFile(file, 'utf8'), file);
    return { df, check: check('dockerfile', file, 'ok', `${label}: ${df.stages.length} stage(s)`) };
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    return { check: check('dockerfile', file, 'fail', `${label}: ${missing ? 'not found' : message(e)}`, { fix: missing ? 'give the Dockerfile (dockerfile setting, -f) or the context' : hint(e) }) };
  }
}

/**
 * What a first run needs, each checked for real: the commit, pipeline.yml (or the one Dockerfile), each
 * registry with the credentials a run would use (and where they come from) and its clock, the engine
 * socket when something needs it, each deploy host, every TLS file. Nothing is pushed or deployed.
 */
export async function runDoctor(input: SettingsInput, cwd: string, env: NodeJS.ProcessEnv): Promise<Check[]> {
  const checks: Check[] = [];
  const early = resolveSettings(input);
  const configPath = resolve(cwd, early.config ?? CONFIG_FILE);
  let cfg: PipelineConfig | undefined;
  if (wantsSingleImage(early)) {
    checks.push(check('config', configPath, 'skip', 'one Dockerfile (a Dockerfile, context or image was given): pipeline.yml is not read'));
  } else if (existsSync(configPath)) {
    try {
      cfg = await loadConfig(configPath, { strict: early.sources.strict === 'default' ? undefined : early.strict });
      const envs = Object.keys(cfg.environments);
      checks.push(check('config', cfg.file, 'ok', `images ${cfg.order.join(' → ') || '(none)'}${envs.length ? `; environments ${envs.join(', ')}` : ''}`));
      for (const w of cfg.warnings) checks.push(check('config', `${w.position.file}:${w.position.line ?? ''}`, 'warn', w.message));
    } catch (e) {
      checks.push(check('config', configPath, 'fail', message(e), { fix: hint(e) }));
    }
  } else if (early.config) {
    checks.push(check('config', configPath, 'fail', `not found (from ${early.sources.config})`, { fix: 'give the path of pipeline.yml, or leave the setting out for one Dockerfile' }));
  } else {
    checks.push(check('config', configPath, 'skip', 'no pipeline.yml: one Dockerfile is built'));
  }
  const s = resolveSettings({ ...input, config: cfg });
  checks.push(await checkGit(input, cfg?.dir ?? cwd));

  let df: Dockerfile | undefined;
  if (cfg) {
    for (const img of Object.values(cfg.images)) checks.push((await dockerfile(img.dockerfile, `image ${img.name}`)).check);
  } else if (!checks.some((c) => c.area === 'config' && c.status === 'fail')) {
    const context = resolve(cwd, s.context ?? '.');
    const d = await dockerfile(s.file ? resolve(cwd, s.file) : join(context, 'Dockerfile'), 'the Dockerfile');
    df = d.df;
    checks.push(d.check);
  }

  const plan = planChecks(s, cfg, df, env);
  const regs = await Promise.all(plan.registries.map((t) => checkRegistry(t, s, env)));
  if (!plan.registries.length) checks.push(check('registry', '-', 'skip', 'no registry to push to or pull from (nothing is pushed)'));
  checks.push(...regs.map((r) => r.check));
  const clock = checkClock(plan.registries.map((t, i) => ({ registry: t.registry, skew: regs[i].skew })));
  if (clock) checks.push(clock);
  checks.push(await checkEngine(plan.engine, env));
  checks.push(...(await Promise.all(plan.hosts.map((h) => checkHost(h.environment, h.host)))));
  checks.push(...(await Promise.all(plan.tls.map((t) => checkTlsFile(t)))));
  return checks;
}
