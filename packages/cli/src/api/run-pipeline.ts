import { silentLogger, type Logger } from '@pipeline/core';
import { runPipeline as run, type ImageOutcome } from '../pipeline/run.js';
import { selection, type Session } from '../pipeline/session.js';
import { logins } from '../settings/index.js';

export interface PipelineRequest {
  /** pipeline.yml with the run's settings and commit facts: openPipeline(). */
  session: Session;
  /** Push the images once every one is built and tested (all or nothing: docs/tags.md). */
  push: boolean;
  /** Run the tests pipeline.yml declares (default true). */
  test?: boolean;
  force?: boolean;
  cacheDir?: string;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Each image's outcome as soon as it is known (the one whose tests fail the run too). */
  onImage?: (outcome: ImageOutcome) => void;
  /** Ctrl-C: stops the running build (its RUN containers and roots removed). */
  signal?: AbortSignal;
}

export interface PipelineReport {
  images: ImageOutcome[];
  durationMs: number;
}

/**
 * build → test → push for every image of pipeline.yml that changed, bases first; the images and
 * tags the settings choose. Failing tests throw (exit 1) after `onImage` has seen their results.
 */
export async function runPipeline(o: PipelineRequest): Promise<PipelineReport> {
  const t0 = Date.now();
  const s = o.session;
  const images = await run(s.cfg, {
    git: s.git,
    push: o.push,
    registry: s.settings.registry ? { url: s.settings.registry, namespace: s.settings.namespace, insecure: s.settings.insecure } : undefined,
    test: o.test ?? true,
    ...selection(s),
    force: o.force,
    cacheDir: o.cacheDir,
    logger: o.logger ?? silentLogger,
    env: o.env,
    semver: s.semver,
    logins: logins(s.settings),
    immutableTags: s.settings.immutableTags,
    buildId: s.settings.buildId,
    onImage: o.onImage,
    signal: o.signal,
  });
  return { images, durationMs: Date.now() - t0 };
}
