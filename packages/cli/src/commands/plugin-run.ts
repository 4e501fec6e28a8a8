import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { addSecret, UsageError, type Logger, quote } from '@pipeline/core';
import { buildAndPublish } from '../api/build-and-publish.js';
import { runPipeline } from '../api/run-pipeline.js';
import { deployEnvironment, type DeployReport } from './deploy-environment.js';
import { CONFIG_FILE } from '../config/index.js';
import { openPipeline } from '../pipeline/session.js';
import { checkPluginEnv, CI_CREDENTIAL_VARS, ciFiles, describeSource, destinations, secretValues, logins, resolveFacts, resolveSettings, type Env, type Settings, type SettingsInput } from '../settings/index.js';
import { wantsSingleImage } from '../settings/resolve.js';
import { resultLines, writeResults, type PluginImage, type Written } from '../plugin/results.js';

export interface PluginReport {
  /** One Dockerfile, or the images of pipeline.yml. */
  mode: 'dockerfile' | 'pipeline';
  /** The CI system detected (drone, woodpecker, gitlab…). */
  host?: string;
  images: PluginImage[];
  deploy?: DeployReport;
  written: Written;
}

export interface PluginRun {
  env: Env;
  cwd: string;
  logger: Logger;
}

/**
 * The CI plugin's one entrypoint, for Drone, Woodpecker and GitLab alike: the step's settings
 * (PLUGIN_*, the host's own variables, a .tags file) go through the one settings resolver, then the
 * same calls as the CLI and the Action: one Dockerfile (buildAndPublish) or pipeline.yml's images
 * (runPipeline), then the deploy when asked. Results go where each host's next step reads them.
 */
export async function runPlugin(o: PluginRun): Promise<{ code: number; report: PluginReport; lines: string[] }> {
  const { env, cwd, logger: log } = o;
  // Every credential the step was given, before anything can be printed: the settings' (PLUGIN_PASSWORD,
  // docker_config_json, logins…) and the CI's own (GitLab's job token).
  for (const v of [...secretValues(env, 'plugin'), ...CI_CREDENTIAL_VARS.map((n) => env[n])]) addSecret(v);
  for (const w of checkPluginEnv(env).warnings) log.warn(w);
  const input: SettingsInput = { env, door: 'plugin', cwd, ciFiles: ciFiles(env) };
  const s = resolveSettings(input);
  const configFile = resolve(cwd, s.config ?? CONFIG_FILE);
  if (s.config && !existsSync(configFile)) throw new UsageError(`Expected ${describeSource(s.sources.config!)} to name pipeline.yml, got ${quote(s.config)}: no such file in the workspace`, 'the path is relative to the workspace; leave config out to build ./Dockerfile');
  const pipelineMode = !wantsSingleImage(s) && existsSync(configFile);
  const run = pipelineMode ? await pipelineImages(input, s, o) : await dockerfileImage(input, s, o);
  let deploy: DeployReport | undefined;
  if (s.deploy) {
    deploy = await log.group(`deploy ${s.deploy}`, () =>
      deployEnvironment({ environment: s.deploy!, cwd, config: s.config, image: pipelineMode ? undefined : run.images[0]?.reference, sha: run.commit.sha, settings: input, logger: log, env }),
    );
  }
  const written = await writeResults(run.images, s, run.commit, cwd, log);
  const report: PluginReport = { mode: pipelineMode ? 'pipeline' : 'dockerfile', host: run.host, images: run.images, deploy, written };
  const lines = [...resultLines(run.images), ...(deploy ? [deployLine(deploy)] : []), ...(written.digestFile ? [`digest file: ${written.digestFile}`] : [])];
  const failed = deploy && (deploy.result === 'rolled-back' || deploy.result === 'failed');
  if (failed) log.warn(deploy!.account ?? `deploy to ${deploy!.environment} ${deploy!.result}`);
  return { code: failed ? 1 : 0, report, lines };
}

interface Built {
  images: PluginImage[];
  commit: { sha?: string; branch?: string };
  host?: string;
}

async function dockerfileImage(input: SettingsInput, s: Settings, o: PluginRun): Promise<Built> {
  const context = resolve(o.cwd, s.context ?? '.');
  const facts = resolveFacts(input, o.cwd);
  facts.catch(() => {});
  const dest = destinations(s, facts, 'any');
  if (!dest.push) o.logger.warn(s.push === false ? 'dry run: the image is built, not pushed' : 'no repo given: the image is built, not pushed (set repo, or PLUGIN_REPO)');
  const r = await buildAndPublish({
    context,
    file: s.file ? resolve(o.cwd, s.file) : undefined,
    buildArgs: s.buildArgs,
    target: s.target,
    platform: s.platform,
    labels: s.labels,
    noCache: s.noCache,
    executor: s.executor ?? 'native',
    destinations: dest,
    facts,
    insecureRegistries: s.insecure ? dest.repositories.map((d) => d.repository.registry) : [],
    logins: logins(s, dest.repositories[0]?.repository.registry),
    logger: o.logger,
    env: o.env,
  });
  const f = await facts;
  const push = r.pushes[0];
  const name = push?.repository ?? 'image';
  const tags = r.pushes.flatMap((p) => p.tags.map((t) => `${p.repository}:${t}`));
  return {
    images: [{ name, digest: r.digest, reference: push?.reference, tags, size: r.size, newBytes: r.newBytes, reusedBytes: r.reusedBytes }],
    commit: { sha: f.git?.sha, branch: f.git?.branch },
    host: f.host,
  };
}

async function pipelineImages(input: SettingsInput, s: Settings, o: PluginRun): Promise<Built> {
  const session = await openPipeline(input, o.cwd, o.logger);
  if (s.autoTag) o.logger.warn('auto_tag applies to a single Dockerfile; the images of pipeline.yml are tagged by their tags: (or the tags setting)');
  const push = s.push ?? true;
  const canPush = push && !!session.settings.registry;
  if (push && !canPush) o.logger.warn('no registry known (registry.url in pipeline.yml, or the registry setting): the images are built and tested, not pushed');
  const r = await runPipeline({ session, push: canPush, logger: o.logger, env: o.env });
  const images = r.images
    .filter((i) => i.digest)
    .map((i): PluginImage => {
      const repo = i.source && !i.source.startsWith('oci:') ? i.source.slice(0, i.source.lastIndexOf('@')) : undefined;
      return { name: i.name, digest: i.digest!, reference: repo ? i.source : undefined, tags: repo ? i.tags.map((t) => `${repo}:${t}`) : [], size: i.stats?.size, newBytes: i.stats?.newBytes, reusedBytes: i.stats?.reusedBytes };
    });
  return { images, commit: { sha: session.git?.sha, branch: session.git?.branch }, host: session.facts.host };
}

function deployLine(d: DeployReport): string {
  const short = (x?: string) => (x ? x.slice(7, 19) : '(nothing)');
  return `deploy ${d.environment}: ${d.result}, ${short(d.previous)} → ${short(d.digest)}, ${d.instances.length} instance(s) in ${(d.durationMs / 1000).toFixed(1)} s`;
}
