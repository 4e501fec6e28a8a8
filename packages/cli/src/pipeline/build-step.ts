import { PipelineError, type Logger } from '@pipeline/core';
import { buildImage, writeOciLayout, type Credentials, type GitInfo, type Image } from '@pipeline/build';
import type { PipelineConfig } from '../config/index.js';
import { INPUTS_ANNOTATION } from './destination.js';
import type { InputTimes } from './input-time.js';
import { imageLabels } from './labels.js';
import { localCopy } from './load.js';
import type { PlannedImage } from './plan.js';
import { imageStats, type ImageStats } from './stats.js';

export interface BuildStepOptions {
  git?: GitInfo;
  times: InputTimes;
  /** Where each image built or reused so far is read from (children build FROM it). */
  sources: Map<string, string>;
  /** Versions of the images of this run, for the base-name annotation. */
  versions: Map<string, string | undefined>;
  cacheDir?: string;
  insecure?: string[];
  logins?: Record<string, Credentials>;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  /** Ctrl-C: stops the build (its RUN containers and roots removed). */
  signal?: AbortSignal;
}

/**
 * Builds one planned image into its local copy. Everything that enters it comes from its inputs:
 * the time and revision of their last change, the pinned digests of external images, its base by
 * pipeline name (never a path), and the input fingerprint as an annotation.
 */
export async function buildStep(cfg: PipelineConfig, p: PlannedImage, o: BuildStepOptions): Promise<{ image: Image; digest: string; local: string; stats: ImageStats }> {
  const t0 = Date.now();
  const img = cfg.images[p.name];
  const time = await o.times.of(p.name);
  const aliases: Record<string, string | { source: string; name: string }> = { ...p.pins };
  if (p.parent) {
    const source = o.sources.get(p.parent);
    if (!source) throw new PipelineError('usage', `image ${p.name} needs ${p.parent}, which was never built`, { hint: `build it: pipeline build ${p.parent}` });
    const v = o.versions.get(p.parent);
    aliases[p.parent] = { source, name: v ? `${p.parent}:${v}` : p.parent };
  }
  const r = await buildImage({
    context: img.context,
    file: img.dockerfile,
    buildArgs: img.buildArgs,
    platform: img.platform,
    executor: img.executor ?? 'native',
    epoch: time.time,
    aliases,
    labels: imageLabels(cfg, p.name, p.dockerfile, { git: o.git, time, version: p.version }),
    annotations: { [INPUTS_ANNOTATION]: p.inputs },
    cacheDir: o.cacheDir,
    logger: o.logger,
    env: o.env,
    insecureRegistries: o.insecure,
    logins: o.logins,
    signal: o.signal,
  });
  const { dir, ref } = localCopy(cfg, p.name);
  await writeOciLayout(r.image, dir, { refName: ref, localStore: r.store });
  o.logger.info(`${p.name}: ${r.digest.oci} (time ${new Date(time.time * 1000).toISOString()} from ${time.from}${time.revision ? `, revision ${time.revision.slice(0, 7)}` : ''})`);
  return { image: r.image, digest: r.digest.oci, local: `oci:${dir}:${ref}`, stats: imageStats(r.image, r.layers, t0) };
}
