import { formatReference, silentLogger, type Digest, type Logger } from '@pipeline/core';
import { buildImage, manifestBlob, ociLabels, startPublish, withLabels, writeDockerArchive, writeOciLayout, type Credentials, type OutputSpec, type Publisher } from '@pipeline/build';
import type { Destinations, Facts } from '../settings/index.js';
import { imageStats, type ImageStats } from '../pipeline/stats.js';

export interface BuildRequest {
  /** Absolute paths. */
  context: string;
  file?: string;
  buildArgs?: Record<string, string>;
  target?: string;
  platform?: string;
  /** Added to the git labels (org.opencontainers.image.revision/source/created/version). */
  labels?: Record<string, string>;
  gitLabels?: boolean;
  noCache?: boolean;
  cacheDir?: string;
  compressionLevel?: number;
  executor?: 'native' | 'engine' | 'chroot';
  format?: 'oci' | 'docker';
  /** Local outputs: OCI layouts and docker-archive files. */
  outputs?: OutputSpec[];
  /** Where the image is pushed and named (settings/destinations.ts). */
  destinations: Destinations;
  /** The commit facts, worked out beside the build (labels and git tags wait for them, the build does not). */
  facts: Promise<Facts>;
  force?: boolean;
  insecureRegistries?: string[];
  logins?: Record<string, Credentials>;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Ctrl-C: stops the build (its RUN containers, images and roots removed). */
  signal?: AbortSignal;
}

export interface PushReport {
  /** `registry/repo@sha256:…` */
  reference: string;
  repository: string;
  /** Every tag that names the image there now. */
  tags: string[];
  /** Those this push wrote (a tag already at this digest is left alone). */
  written: string[];
  uploadedBytes: number;
  mountedBlobs: number;
  skippedBlobs: number;
}

export interface BuildReport {
  digest: Digest;
  mediaType: string;
  /** Manifest + config + every layer. */
  size: number;
  layerCount: number;
  stats: ImageStats;
  epoch: number;
  epochFrom: string;
  bases: { name: string; digest?: Digest }[];
  layers: { instruction: string; digest: Digest; size: number; cached: boolean }[];
  /** Bytes of layers built by this run vs taken from the base or the layer cache. */
  newBytes: number;
  reusedBytes: number;
  outputs: { output: string; digest: string }[];
  pushes: PushReport[];
  durationMs: number;
}

/**
 * Builds one Dockerfile and writes it where asked: local outputs, and every destination repository
 * with its tags. The push starts with the build (base layers mounted, each new layer uploaded while
 * later ones are being built); manifests and tags are written only once every blob is confirmed and
 * the tags are known — a failure working out tags stops every push before anything is sent.
 */
export async function buildAndPublish(o: BuildRequest): Promise<BuildReport> {
  const t0 = Date.now();
  const log = o.logger ?? silentLogger;
  const format = o.format ?? 'oci';
  const publishers: Publisher[] = o.destinations.push
    ? o.destinations.repositories.map((d) => startPublish(d.repository, { tags: d.tags, flavor: format, force: o.force, insecure: o.insecureRegistries, logger: log, env: o.env, logins: o.logins }))
    : [];
  const r = await buildImage({
    onLayer: publishers.length ? (l) => publishers.forEach((p) => p.prefetch(l)) : undefined,
    context: o.context,
    file: o.file,
    buildArgs: o.buildArgs,
    target: o.target,
    platform: o.platform,
    cacheDir: o.cacheDir,
    noCache: o.noCache,
    compressionLevel: o.compressionLevel,
    logger: log,
    env: o.env,
    executor: o.executor,
    insecureRegistries: o.insecureRegistries,
    logins: o.logins,
    signal: o.signal,
  });
  // Tags that cannot be worked out stop here, before any output is written.
  const tagLists = await Promise.all(o.destinations.repositories.map((d) => d.tags));
  const facts = await o.facts;
  const title = o.destinations.repositories[0]?.repository.repository.split('/').pop();
  const image = withLabels(r.image, { ...(o.gitLabels === false ? {} : ociLabels(facts.git, { title })), ...o.labels });
  const names = [...o.destinations.localNames, ...o.destinations.repositories.flatMap((d, i) => tagLists[i].map((t) => formatReference({ ...d.repository, tag: t })))];
  const outputs: BuildReport['outputs'] = [];
  for (const out of o.outputs ?? []) {
    if (out.kind === 'oci') {
      const w = await writeOciLayout(image, out.dir, { flavor: format, refName: out.ref ?? names[0]?.split(':').pop() ?? 'latest', localStore: r.store });
      outputs.push({ output: `oci:${out.dir}`, digest: w.digest });
    } else if (out.kind === 'docker-archive') {
      const repoTags = out.ref ? [out.ref.includes(':') ? out.ref : `${out.ref}:latest`] : names;
      const w = await writeDockerArchive(image, out.file, { flavor: format === 'oci' ? 'oci' : 'docker', repoTags, mtime: new Date(r.epoch * 1000), localStore: r.store });
      outputs.push({ output: `docker-archive:${out.file}`, digest: w.digest });
    }
  }
  const pushes: PushReport[] = [];
  for (const [i, p] of publishers.entries()) {
    const pushed = await p.publish(image);
    const repository = formatReference(o.destinations.repositories[i].repository);
    pushes.push({ reference: pushed.reference, repository, tags: tagLists[i], written: pushed.tags, uploadedBytes: pushed.uploadedBytes, mountedBlobs: pushed.mountedBlobs, skippedBlobs: pushed.skippedBlobs });
    outputs.push({ output: `registry:${pushed.reference}`, digest: pushed.digest });
  }
  const manifest = manifestBlob(image, format);
  const stats = imageStats(image, r.layers, t0, format);
  return {
    digest: manifest.digest,
    mediaType: manifest.descriptor.mediaType,
    size: stats.size,
    layerCount: stats.layers,
    stats,
    epoch: r.epoch,
    epochFrom: r.epochFrom,
    bases: r.bases,
    layers: r.layers,
    newBytes: stats.newBytes,
    reusedBytes: stats.reusedBytes,
    outputs,
    pushes,
    durationMs: stats.durationMs,
  };
}
