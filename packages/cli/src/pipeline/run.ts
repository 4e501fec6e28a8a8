import { PipelineError, UsageError, silentLogger, type Logger } from '@pipeline/core';
import { checkPushAccess, type Credentials, type GitInfo, type TestResult } from '@pipeline/build';
import { chainOf, parentsOf, type PipelineConfig } from '../config/index.js';
import { buildStep } from './build-step.js';
import { inputTimes } from './input-time.js';
import { loadSource } from './load.js';
import { planBuild, type PlannedImage } from './plan.js';
import { assertNoConflicts, conflictsAfterBuild } from './conflicts.js';
import { needsPush, pushAll, type PushOutcome, type Ready } from './push.js';
import { readRecord, writeRecord, type BuildRecord, type ImageRecord } from './record.js';
import { testImage, testsRecordOf } from './tests.js';
import type { ImageStats } from './stats.js';

export { testImage } from './tests.js';
export { repositoryFor } from './destination.js';
export { loadBuilt } from './load.js';

export interface RunOptions {
  git?: GitInfo;
  /** Push every image (after all of them are built and tested) to the configured registry. */
  push: boolean;
  registry?: { url: string; namespace?: string; insecure: boolean };
  test: boolean;
  only?: string[];
  /** Move immutable tags (SHA tags, strict version tags) that point elsewhere. */
  force?: boolean;
  /** tag-policy.version-tags: immutable, --immutable-tags, PIPELINE_IMMUTABLE_TAGS. */
  immutableTags?: boolean;
  /** The CI's build number, for tag-policy.unique's {build}. */
  buildId?: string;
  cacheDir?: string;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  semver?: string[];
  /** Tags that replace each target image's own (templates like {sha} allowed). */
  tags?: string[];
  /** Explicit registry logins by registry (the settings'); others come from Docker's config. */
  logins?: Record<string, Credentials>;
  /** Each image's outcome once the run is done with it – after the push, or when the run stops (the image whose tests failed too). */
  onImage?: (outcome: ImageOutcome) => void;
  /** Ctrl-C: stops the running build (its RUN containers and roots removed). */
  signal?: AbortSignal;
}

export interface ImageOutcome {
  name: string;
  /** built here, or reused (with the same inputs: from this checkout's record or the registry). */
  action: 'built' | 'reused';
  reason: string;
  digest?: string;
  /** The tags the image carries in the destination. */
  tags: string[];
  source?: string;
  tests: TestResult[];
  /** Why its tests ran or did not. */
  testsReason?: string;
  pushed?: PushOutcome;
  /** Built images only. */
  stats?: ImageStats;
}


/**
 * build → test → push for the images of pipeline.yml, all or nothing: the plan reads the registry
 * and stops on any tag conflict; credentials are checked; every image is built and tested; only
 * then is anything pushed, bases first. A failure while pushing says exactly what was pushed.
 */
export async function runPipeline(cfg: PipelineConfig, o: RunOptions): Promise<ImageOutcome[]> {
  const log = o.logger ?? silentLogger;
  if (o.push && !o.registry) throw new UsageError('push needs a registry: set registry.url in pipeline.yml, PIPELINE_REGISTRY or --registry');
  const record = await readRecord(cfg.dir);
  const times = inputTimes(cfg, { git: o.git, env: o.env ?? process.env, logger: log });
  const insecure = o.registry?.insecure ? [o.registry.url] : undefined;
  const outcomes: ImageOutcome[] = [];
  try {
    const plan = await planBuild(cfg, record, { ...o, times });
    assertNoConflicts(plan);
    if (o.push) await preflight(plan, log);

    // Build and test everything first: nothing is pushed unless every image is ready.
    const ready = new Map<string, Ready>();
    const sources = new Map<string, string>();
    const versions = new Map(plan.map((p) => [p.name, p.version]));
    for (const p of plan) {
      // Neither chosen nor under a chosen image: not this run's business.
      if (!p.selected && !neededBy(cfg, p.name, o.only)) continue;
      if (p.action === 'skip') throw new PipelineError('usage', `image ${p.name} is needed but was never built`, { hint: `build it: pipeline build ${p.name}` });
      let r: Ready;
      let stats: ImageStats | undefined;
      if (p.action === 'build') {
        const b = await log.group(`${p.name}: ${p.reason}`, () => buildStep(cfg, p, { git: o.git, times, sources, versions, cacheDir: o.cacheDir, insecure, logins: o.logins, env: o.env, logger: log, signal: o.signal }));
        r = { image: b.image, digest: b.digest, local: b.local, source: b.local };
        stats = b.stats;
      } else r = { digest: p.have!.digest, source: p.have!.source, local: p.have!.source.startsWith('oci:') ? p.have!.source : undefined };
      sources.set(p.name, r.source);
      const rec = remember(record, p, r, o.git?.sha);
      const outcome: ImageOutcome = { name: p.name, action: p.action === 'build' ? 'built' : 'reused', reason: p.reason, digest: r.digest, tags: p.tags.map((t) => t.tag), source: r.source, tests: [], testsReason: p.tests.reason, ...(stats ? { stats } : {}) };
      outcomes.push(outcome);
      if (!p.selected) continue;
      ready.set(p.name, r);
      if (p.tests.run) {
        // Read for its files only: an image read back from a registry is pushed by its manifest bytes, never re-serialized.
        const image = r.image ?? (await loadSource(r.source, { insecure, logins: o.logins, env: o.env })).image;
        outcome.tests = await log.group(`test ${p.name}: ${p.tests.reason}`, () => testImage(image, cfg.test[p.name], log));
        rec.tests = testsRecordOf(p.tests.fingerprint!, r.digest, outcome.tests);
      }
      await writeRecord(cfg.dir, record);
      const failed = outcome.tests.filter((t) => !t.ok);
      if (failed.length) {
        throw new PipelineError('test', `tests of image ${p.name} failed: ${failed.map((t) => t.name).join('; ')}`, { exitCode: 1, hint: o.push ? 'nothing was pushed' : undefined });
      }
    }
    conflictsAfterBuild(plan, ready);
    if (o.push) await pushAll(plan, ready, outcomes, record, { dir: cfg.dir, git: o.git, force: o.force, insecure, logins: o.logins, env: o.env, logger: log });
    return outcomes;
  } finally {
    times.close();
    for (const x of outcomes) o.onImage?.(x);
  }
}

/** An image a chosen one is built on (or any image, when none is chosen). */
const neededBy = (cfg: PipelineConfig, name: string, only: string[] | undefined) => !only?.length || only.some((n) => chainOf(parentsOf(cfg.images), n).includes(name));

/** Before anything is built: every unique tag can be named, and every repository that will change accepts our pushes. */
async function preflight(plan: PlannedImage[], log: Logger): Promise<void> {
  for (const p of plan) {
    // The unique tag is written where an image arrives first; one the destination already holds keeps its own.
    if (p.missing.length && p.selected && p.action !== 'skip' && p.have?.where !== 'destination') {
      throw new UsageError(`tag-policy.unique of ${p.name} needs {${p.missing.join('}, {')}}, which is not set here`, p.missing.includes('build') ? 'set PIPELINE_BUILD_ID (or --build-id); CI systems set their own build number' : 'the image needs a git history for {revision}');
    }
  }
  const writing = plan.filter((p) => p.selected && p.action !== 'skip' && p.destination && (p.action === 'build' || needsPush(p, true)));
  await Promise.all(writing.map(async (p) => checkPushAccess(await p.destination!.client(), p.destination!.repo.repository)));
  if (writing.length) log.debug(`push access checked: ${writing.map((p) => p.destination!.name).join(', ')}`);
}

/** What the record says of an image after this run built or reused it. */
function remember(record: BuildRecord, p: PlannedImage, r: Ready, revision?: string): ImageRecord {
  const prev = record.images[p.name];
  const same = prev?.digest === r.digest;
  const rec: ImageRecord = {
    inputs: p.inputs,
    parts: p.parts,
    digest: r.digest,
    tags: p.tags.map((t) => t.tag),
    version: p.version,
    source: same && prev && !prev.source.startsWith('oci:') ? prev.source : r.source,
    local: r.local ?? (same ? prev?.local : undefined),
    revision: p.action === 'build' || !same ? revision : prev?.revision ?? revision,
    tests: same ? prev?.tests : undefined,
    pushed: same ? prev?.pushed : undefined,
  };
  record.images[p.name] = rec;
  return rec;
}
