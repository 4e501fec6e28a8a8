import * as core from '@actions/core';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UsageError, formatReference } from '@pipeline/core';
import {
  CONFIG_FILE,
  buildAndPublish,
  deployEnvironment,
  destinations,
  explicitValue,
  lintDockerfiles,
  logins,
  openPipeline,
  parseBool,
  resolveFacts,
  resolveSettings,
  runPipeline,
  secretValues,
  wantsSingleImage,
  type ImageOutcome,
  type PipelineConfig,
  type Settings,
  type SettingsInput,
} from '@pipeline/cli';
import { actionLogger } from './logger.js';
import { annotateError, annotateLint } from './annotate.js';
import { writeOutputs } from './outputs.js';
import { writeSummary } from './summary.js';
import type { ActionReport, ImageReport } from './report.js';

type Log = ReturnType<typeof actionLogger>;

/**
 * The Action: inputs (INPUT_*, through the CLI's settings resolver) → the same calls the CLI makes
 * (buildAndPublish or runPipeline, then deployEnvironment) → outputs, job summary, annotations.
 * Returns the exit code: 0 ok, 1 the job failed (tests, a rolled-back deploy), 2 bad input.
 */
export async function runAction(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // Before anything is logged: every credential the inputs or env hold is masked by the runner.
  const masked = new Set<string>();
  const mask = (secret: string) => masked.has(secret) || (masked.add(secret), core.setSecret(secret));
  secretValues(env, 'action').forEach(mask);
  const t0 = Date.now();
  const log = actionLogger();
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const report: ActionReport = { images: [], lint: [], durationMs: 0 };
  const input: SettingsInput = { env, door: 'action' };
  const summary = wantsSummary(input);
  try {
    const s = resolveSettings(input);
    if (s.login) [s.login.password, Buffer.from(`${s.login.username}:${s.login.password}`).toString('base64')].forEach(mask);
    const cwd = resolve(workspace, s.workingDirectory ?? '.');
    const single = wantsSingleImage(s) || (!s.config && !existsSync(join(cwd, CONFIG_FILE)));
    report.mode = single ? 'image' : 'pipeline';
    const pushed = single ? await oneImage(s, input, cwd, workspace, env, log, report) : await pipeline(input, cwd, workspace, env, log, report);
    if (s.deploy) {
      const main = report.images[report.images.length - 1];
      if (!pushed || !main?.digest) throw new UsageError(`deploy: ${s.deploy} needs the image pushed first`, 'set image (or tags with a registry, or registry: in pipeline.yml) and leave push on');
      report.deploy = await log.group(`deploy ${s.deploy}`, () =>
        deployEnvironment({ environment: s.deploy!, cwd, config: s.config, image: single ? `${main.repository}@${main.digest}` : undefined, settings: input, logger: log, env }),
      );
      if (report.deploy.result === 'rolled-back' || report.deploy.result === 'failed') {
        report.error = { message: report.deploy.account ?? `deploy ${report.deploy.result}`, exitCode: 1 };
        core.error(report.error.message, { title: `pipeline: deploy to ${s.deploy} ${report.deploy.result === 'failed' ? 'failed' : 'rolled back'}` });
      }
    }
  } catch (e) {
    report.error = annotateError(e, workspace);
  } finally {
    report.durationMs = Date.now() - t0;
    writeOutputs(report);
    if (summary && env.GITHUB_STEP_SUMMARY) await writeSummary(report).catch((e: Error) => core.warning(`job summary: ${e.message}`));
  }
  return report.error?.exitCode ?? 0;
}

/** The summary input on its own: a bad value elsewhere (reported in the summary) must not turn it off or on. */
function wantsSummary(input: SettingsInput): boolean {
  const raw = explicitValue('summary', input);
  try {
    return raw ? parseBool(raw.source, String(raw.value)) : true;
  } catch {
    return true; // the full resolve reports the bad value
  }
}

/** One Dockerfile: lint, build, push to every destination. True when pushed. */
async function oneImage(s: Settings, input: SettingsInput, cwd: string, workspace: string, env: NodeJS.ProcessEnv, log: Log, report: ActionReport): Promise<boolean> {
  const context = resolve(cwd, s.context ?? '.');
  const file = s.file ? resolve(cwd, s.file) : join(context, 'Dockerfile');
  const facts = resolveFacts(input, context);
  facts.catch(() => {});
  const dest = destinations(s, facts, 'any');
  const first = dest.repositories[0]?.repository;
  const name = first ? first.repository.split('/').pop()! : basename(context);
  await lint([file], cwd, workspace, log, report);
  const r = await log.group(`build ${name}`, () =>
    buildAndPublish({
      context,
      file,
      buildArgs: s.buildArgs,
      target: s.target,
      platform: s.platform,
      labels: s.labels,
      noCache: s.noCache,
      destinations: dest,
      facts,
      insecureRegistries: s.insecure ? dest.repositories.map((d) => d.repository.registry) : undefined,
      logins: logins(s, first?.registry),
      logger: log,
      env,
    }),
  );
  report.facts = await facts;
  const repository = first ? formatReference(first) : undefined;
  report.images.push({
    name,
    action: 'built',
    digest: r.digest,
    repository,
    tags: r.pushes.length ? r.pushes.flatMap((p) => p.tags.map((t) => `${p.repository}:${t}`)) : dest.localNames,
    pushed: r.pushes.length > 0,
    size: r.size,
    layers: r.layerCount,
    newBytes: r.newBytes,
    reusedBytes: r.reusedBytes,
    durationMs: r.durationMs,
    tests: [],
  });
  return r.pushes.length > 0;
}

/** pipeline.yml: lint the chosen images, then build → test → push them in order. True when pushed. */
async function pipeline(input: SettingsInput, cwd: string, workspace: string, env: NodeJS.ProcessEnv, log: Log, report: ActionReport): Promise<boolean> {
  const session = await openPipeline(input, cwd, log);
  report.facts = session.facts;
  const s = session.settings;
  await lint([...new Set(s.images.map((n) => session.cfg.images[n].dockerfile))], cwd, workspace, log, report, session.cfg);
  const push = s.push ?? !!s.registry;
  const repoOf = (name: string) => (s.registry ? `${s.registry}/${s.namespace ? `${s.namespace}/` : ''}${name}` : undefined);
  const toReport = (o: ImageOutcome): ImageReport => {
    const repository = repoOf(o.name);
    // After a push every chosen image is in its repository: pushed now (blobs or only tags), or there already.
    const pushedHere = !!o.pushed;
    const inRegistry = push && !!o.source && !o.source.startsWith('oci:');
    return {
      name: o.name,
      action: o.action,
      digest: o.digest,
      repository,
      tags: repository && inRegistry ? o.tags.map((t) => `${repository}:${t}`) : [],
      pushed: pushedHere,
      size: o.stats?.size,
      layers: o.stats?.layers,
      newBytes: o.stats?.newBytes,
      reusedBytes: o.stats?.reusedBytes,
      durationMs: o.stats?.durationMs,
      tests: o.tests.map((t) => ({ name: t.name, ok: t.ok, detail: t.detail })),
    };
  };
  await runPipeline({ session, push, logger: log, env, onImage: (o) => report.images.push(toReport(o)) });
  return push;
}

/** Findings become warnings at their lines; a Dockerfile that does not parse is left to the build, which reports it. */
async function lint(files: string[], cwd: string, workspace: string, log: Log, report: ActionReport, config?: PipelineConfig): Promise<void> {
  await log.group('lint', async () => {
    try {
      report.lint = await lintDockerfiles(files, { config, cwd: workspace });
    } catch {
      return;
    }
    annotateLint(report.lint, workspace);
    log.info(`${report.lint.length} finding(s) in ${files.length} Dockerfile(s)${cwd === workspace ? '' : ` under ${cwd}`}`);
  });
}
