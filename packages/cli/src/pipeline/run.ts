import { join } from 'node:path';
import { PipelineError, formatReference, parseReference, silentLogger, type Logger } from '@pipeline/core';
import { buildImage, checkStructure, ociLabels, publishImage, readOciLayout, runCommandTest, runSmokeTest, writeOciLayout, type Credentials, type GitInfo, type Image, type TestResult } from '@pipeline/build';
import { chainOf, parentsOf, type PipelineConfig, type ImageTests } from '../config/index.js';
import { planBuild, type PlannedImage } from './plan.js';
import { readRecord, stateDir, writeRecord, type ImageRecord } from './record.js';
import { imageStats, type ImageStats } from './stats.js';

export interface RunOptions {
  git?: GitInfo;
  /** Push each image (after its tests) to the configured registry. */
  push: boolean;
  registry?: { url: string; namespace?: string; insecure: boolean };
  test: boolean;
  only?: string[];
  force?: boolean;
  cacheDir?: string;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  semver?: string[];
  /** Tags that replace each target image's own (templates like {sha} allowed). */
  tags?: string[];
  /** Explicit registry logins by registry (the settings'); others come from Docker's config. */
  logins?: Record<string, Credentials>;
  /** Each image's outcome as soon as it is known (also the one whose tests fail the run). */
  onImage?: (outcome: ImageOutcome) => void;
  /** Ctrl-C: stops the running build (its RUN containers and roots removed). */
  signal?: AbortSignal;
}

export interface ImageOutcome {
  name: string;
  action: 'built' | 'skipped';
  reason: string;
  digest?: string;
  tags: string[];
  source?: string;
  tests: TestResult[];
  /** Built images only. */
  stats?: ImageStats;
}

export function repositoryFor(reg: { url: string; namespace?: string }, name: string) {
  return parseReference(`${reg.url}/${reg.namespace ? `${reg.namespace}/` : ''}${name}`);
}

/** Runs an image's declared tests: structure (no daemon), then commands and smoke boot (host engine). */
export async function testImage(image: Image, tests: ImageTests | undefined, log: Logger): Promise<TestResult[]> {
  if (!tests) return [];
  const results = await checkStructure(image, tests.structure);
  for (const c of tests.commands) results.push(await runCommandTest(image, c));
  if (tests.smoke) results.push(await runSmokeTest(image, tests.smoke));
  for (const r of results) log.info(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name}${r.detail ? ` – ${r.detail}` : ''}`);
  return results;
}

/**
 * build → test → push for every image of pipeline.yml that changed, bases first. A failing test
 * stops the run before anything of that image is pushed; the record keeps what finished.
 */
export async function runPipeline(cfg: PipelineConfig, o: RunOptions): Promise<ImageOutcome[]> {
  const log = o.logger ?? silentLogger;
  const record = await readRecord(cfg.dir);
  const plan = await planBuild(cfg, record, { git: o.git, cacheDir: o.cacheDir, only: o.only, semver: o.semver, tags: o.tags });
  const outcomes: ImageOutcome[] = [];
  const sources = new Map<string, string>();
  for (const p of plan) {
    const img = cfg.images[p.name];
    const prev = record.images[p.name];
    if (p.action === 'skip' && prev) {
      sources.set(p.name, prev.source);
      outcomes.push({ name: p.name, action: 'skipped', reason: p.reason, digest: prev.digest, tags: prev.tags, source: prev.source, tests: [] });
      o.onImage?.(outcomes[outcomes.length - 1]);
      continue;
    }
    // Never built and not chosen: a problem only when a chosen image is built on it.
    if (p.action === 'skip' && !neededBy(cfg, p.name, o.only)) continue;
    if (p.action === 'skip') throw new PipelineError('usage', `image ${p.name} is needed but was never built`, { hint: `build it: pipeline build ${p.name}` });
    const outcome = await log.group(`${p.name}: ${p.reason}`, () => buildOne(cfg, p, img.name, sources, o, log));
    outcomes.push(outcome);
    o.onImage?.(outcome);
    sources.set(p.name, outcome.source!);
    if (outcome.tests.some((t) => !t.ok)) {
      await writeRecord(cfg.dir, record);
      throw new PipelineError('test', `tests of image ${p.name} failed: ${outcome.tests.filter((t) => !t.ok).map((t) => t.name).join('; ')}`, { exitCode: 1, hint: 'nothing of this image (or the images on top of it) was pushed' });
    }
    record.images[p.name] = { inputs: p.inputs, digest: outcome.digest!, tags: outcome.tags, version: p.version, source: outcome.source!, revision: o.git?.sha, ...({ parts: p.parts } as object) } as ImageRecord;
    await writeRecord(cfg.dir, record);
  }
  return outcomes;
}

const neededBy = (cfg: PipelineConfig, name: string, only: string[] | undefined) => !only?.length || only.some((n) => chainOf(parentsOf(cfg.images), n).includes(name));

async function buildOne(cfg: PipelineConfig, p: PlannedImage, name: string, sources: Map<string, string>, o: RunOptions, log: Logger): Promise<ImageOutcome> {
  const t0 = Date.now();
  const img = cfg.images[name];
  const aliases: Record<string, string> = {};
  if (p.parent) aliases[p.parent] = sources.get(p.parent)!;
  const labels = ociLabels(o.git, { title: name, version: p.version ?? o.git?.short });
  const r = await buildImage({
    context: img.context,
    file: img.dockerfile,
    buildArgs: img.buildArgs,
    platform: img.platform,
    executor: img.executor ?? 'native',
    aliases,
    labels,
    cacheDir: o.cacheDir,
    logger: log,
    env: o.env,
    logins: o.logins,
    insecureRegistries: o.registry?.insecure ? [o.registry.url] : undefined,
    signal: o.signal,
  });
  const tests = o.test ? await testImage(r.image, cfg.test[name], log) : [];
  if (tests.some((t) => !t.ok)) return { name, action: 'built', reason: p.reason, digest: r.digest.oci, tags: [], tests, stats: imageStats(r.image, r.layers, t0) };
  // Local copy always: children build FROM it without a registry, and `pipeline test` reads it.
  const dir = join(stateDir(cfg.dir), 'images', name);
  for (const t of p.tags.length ? p.tags : ['latest']) await writeOciLayout(r.image, dir, { refName: t, localStore: r.store });
  let source = `oci:${dir}:${p.tags[0] ?? 'latest'}`;
  let digest: string = r.digest.oci;
  if (o.push) {
    if (!o.registry) throw new PipelineError('usage', 'push needs a registry: set registry.url in pipeline.yml, PIPELINE_REGISTRY or --registry');
    const repo = repositoryFor(o.registry, name);
    const pushed = await publishImage(r.image, repo, { tags: p.tags, force: o.force, insecure: o.registry.insecure ? [o.registry.url] : undefined, logger: log, env: o.env, logins: o.logins, immutable: p.version ? (t) => t === p.version : undefined });
    source = formatReference({ registry: repo.registry, repository: repo.repository, digest: pushed.digest });
    digest = pushed.digest;
  }
  return { name, action: 'built', reason: p.reason, digest, tags: p.tags, source, tests, stats: imageStats(r.image, r.layers, t0) };
}

/** Loads the last built image of a name from the local state (for `pipeline test`). */
export async function loadBuilt(cfg: PipelineConfig, name: string): Promise<Image> {
  const rec = (await readRecord(cfg.dir)).images[name];
  if (!rec) throw new PipelineError('usage', `image ${name} has not been built yet`, { hint: 'run pipeline build first' });
  const { image } = await readOciLayout(join(stateDir(cfg.dir), 'images', name), { ref: rec.tags[0] ?? 'latest' });
  return image;
}
