import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ContextError, DockerfileError, PipelineError, isPipelineError, silentLogger, type Digest, type Logger } from '@pipeline/core';
import { parseDockerfile, readDockerfile } from './dockerfile/index.js';
import { execute, type ExecuteResult, type StepRunner } from './executor/native.js';
import { makeCopyRunner } from './executor/copy.js';
import { engineExecutor } from './executor/engine.js';
import { chrootExecutor } from './executor/chroot.js';
import { withRunCache } from './executor/run-cache.js';
import { resolveEpoch } from './epoch.js';
import { manifestBlob, type Image } from './model/image.js';
import type { ManifestFlavor } from './model/media-types.js';
import type { Layer } from './model/layer.js';
import type { Platform } from './model/types.js';
import { loadImageSource, parseImageSource, type RegistryReader } from './sources/resolve.js';
import { formatPlatform, parsePlatform } from './model/platform.js';
import { loadIgnore } from './context/dockerignore.js';
import { checkSources } from './executor/check-sources.js';
import { archiveLimitsFrom } from './executor/archive-limits.js';
import type { ArchiveLimits } from './layer/add-tar.js';
import { registryReader } from './sources/registry-reader.js';
import type { Credentials } from './registry/credentials.js';

export interface BuildOptions {
  /** Build context directory. */
  context: string;
  /** Dockerfile path (default: <context>/Dockerfile). */
  file?: string;
  buildArgs?: Record<string, string>;
  target?: string;
  platform?: string | Platform;
  /** Seconds since 1970; default SOURCE_DATE_EPOCH, else the context's git commit time. */
  epoch?: number;
  /** Layer cache and blob store (default $XDG_CACHE_HOME/pipeline or ~/.cache/pipeline). */
  cacheDir?: string;
  noCache?: boolean;
  compressionLevel?: number;
  /** Reads FROM images that live in a registry (default: the registry client: `logins`, else Docker's config). */
  registry?: RegistryReader;
  /** Explicit registry logins by registry host (the CLI's settings); others come from Docker's config. */
  logins?: Record<string, Credentials>;
  /** Registries allowed over plain HTTP besides loopback ones. */
  insecureRegistries?: string[];
  /** Who runs RUN steps: none (native), the host engine through its socket, or chroot as root. */
  executor?: 'native' | 'engine' | 'chroot';
  /** Labels added to the final image's config (OCI labels from git, --label). */
  labels?: Record<string, string>;
  /**
   * FROM / COPY --from names that stand for something else: another image of the pipeline (`os` →
   * `oci:DIR:tag` or a pinned ref), or a tag pinned to the digest a plan resolved. With `name`, the
   * base-name annotation says that instead of the source (never a local path).
   */
  aliases?: Record<string, string | { source: string; name: string }>;
  /** Manifest annotations (not labels), e.g. the input fingerprint. */
  annotations?: Record<string, string>;
  /** DOCKER_HOST for the engine executor. */
  dockerHost?: string;
  /** Stops the build (Ctrl-C): a running RUN step is killed; its containers, images and roots are removed. */
  signal?: AbortSignal;
  /** Caps on what an ADD of a local archive unpacks (default DEFAULT_ARCHIVE_LIMITS, or PIPELINE_ADD_MAX_ENTRIES / _BYTES). */
  archiveLimits?: ArchiveLimits;
  /** Each layer of the final image as soon as it is known (e.g. Publisher.prefetch: push while building). */
  onLayer?: (layer: Layer) => void;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
}

export interface BuildResult {
  image: Image;
  /** Manifest digests, per flavor: the image's identity once written. */
  digest: Record<ManifestFlavor, Digest>;
  bases: { name: string; digest?: Digest }[];
  layers: ExecuteResult['layers'];
  epoch: number;
  epochFrom: string;
  store: string;
  dockerfile: string;
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pipeline');
}

/** Adds labels to the config and the same keys as manifest annotations (OCI's convention). */
export function withLabels(image: Image, labels: Record<string, string>): Image {
  if (!Object.keys(labels).length) return image;
  const c = image.config;
  return { ...image, config: { ...c, config: { ...c.config, Labels: { ...(c.config.Labels ?? {}), ...labels } } }, annotations: { ...(image.annotations ?? {}), ...labels } };
}

/** The context must be a directory: a file or a missing path is the user's mistake, said before anything is read. */
async function checkContextDir(context: string): Promise<void> {
  const st = await stat(context).catch((e: NodeJS.ErrnoException) => {
    throw new ContextError(`the build context ${e.code === 'ENOENT' || e.code === 'ENOTDIR' ? 'does not exist' : `cannot be read (${e.code})`}`, { file: context }, 'Expected a directory (the positional CONTEXT or --context DIR)');
  });
  if (!st.isDirectory()) throw new ContextError('the build context is a file, not a directory', { file: context }, 'Expected a directory as CONTEXT; name the Dockerfile with --file PATH');
}

const interrupted = (file: string, signal: AbortSignal) => new PipelineError('usage', `build interrupted (${String((signal.reason as Error)?.message ?? signal.reason)})`, { exitCode: 1, position: { file } });

/** Builds an image from a Dockerfile, daemonless: parse → execute stages → an Image (not yet written). */
export async function buildImage(opts: BuildOptions): Promise<BuildResult> {
  const log = opts.logger ?? silentLogger;
  const context = resolve(opts.context);
  const file = opts.file ? (isAbsolute(opts.file) ? opts.file : resolve(opts.file)) : join(context, 'Dockerfile');
  await checkContextDir(context);
  const df = parseDockerfile(await readDockerfile(file), file);
  const cacheDir = opts.cacheDir ?? defaultCacheDir(opts.env);
  const store = join(cacheDir, 'store');
  const epoch = opts.epoch !== undefined ? { epoch: opts.epoch, from: 'option' } : await resolveEpoch(context, opts.env);
  const platform = typeof opts.platform === 'string' ? parsePlatform(opts.platform) : opts.platform;
  let reader: RegistryReader | undefined;
  // One load per image and platform: stages FROM the same image (and COPY --from it) share it.
  const loaded = new Map<string, ReturnType<StepRunner['base']>>();
  const base: StepRunner['base'] = (text, word, stagePlatform) => {
    const p = stagePlatform ?? platform;
    const key = `${text}\0${p ? formatPlatform(p) : ''}`;
    let got = loaded.get(key);
    if (!got) {
      const alias = opts.aliases?.[text] ?? opts.aliases?.[text.replace(/:[^:/@]*$/, '')];
      let src: ReturnType<typeof parseImageSource>;
      try {
        src = parseImageSource(typeof alias === 'object' ? alias.source : alias ?? text, context);
      } catch (e) {
        // A malformed FROM / COPY --from reference is a Dockerfile mistake: say where it is.
        return Promise.reject(isPipelineError(e) && !e.position && e.exitCode === 2 ? new DockerfileError(e.message, { file, ...word.pos }, e.hint) : e);
      }
      const loading = loadImageSource(src, { store, platform: p, registry: (reader ??= opts.registry ?? registryReader({ insecure: opts.insecureRegistries, logger: log, env: opts.env, logins: opts.logins })) });
      // A pipeline base is named by what it is (`os:1.0.1`), never by where its local copy lies.
      got = typeof alias === 'object' ? loading.then((image) => ({ ...image, name: alias.name })) : loading;
      got.catch(() => loaded.delete(key));
      loaded.set(key, got);
    }
    return got;
  };
  const ignore = await loadIgnore(context, file);
  // Every context source is checked before the first layer exists (a push may start on it).
  await checkSources(df, { context, ignore, target: opts.target });
  const files = await makeCopyRunner({ context, dockerfile: file, store, cacheDir, noCache: !!opts.noCache, epoch: epoch.epoch, compressionLevel: opts.compressionLevel, loadBase: base, archiveLimits: opts.archiveLimits ?? archiveLimitsFrom(opts.env), logger: log });
  const runOpts = { store, cacheDir, epoch: epoch.epoch, compressionLevel: opts.compressionLevel, logger: log, dockerHost: opts.dockerHost, signal: opts.signal };
  const executor = opts.executor === 'engine' ? engineExecutor(runOpts) : opts.executor === 'chroot' ? chrootExecutor(runOpts) : undefined;
  const run = executor && withRunCache(executor.run, { ...runOpts, cacheDir: opts.noCache ? undefined : cacheDir });
  let r: ExecuteResult;
  try {
    r = await execute(df, { buildArgs: opts.buildArgs, target: opts.target, platform, epoch: epoch.epoch, logger: log, runner: { base, copy: files.copy, mkdir: files.mkdir, run }, onLayer: opts.onLayer });
  } catch (e) {
    // Whatever a step was doing when Ctrl-C came, the build was interrupted (not an internal error).
    if (opts.signal?.aborted && !(e instanceof PipelineError)) throw interrupted(file, opts.signal);
    throw e;
  } finally {
    files.close();
    await executor?.dispose();
  }
  if (opts.signal?.aborted) throw interrupted(file, opts.signal);
  const bases = r.stages.filter((s) => s.base.stage === undefined).map((s) => ({ name: s.base.name, digest: s.base.digest }));
  const final = r.stages[r.stages.length - 1];
  let image = r.image;
  if (final.base.stage === undefined && final.base.name !== 'scratch') {
    image = { ...image, annotations: { ...(image.annotations ?? {}), 'org.opencontainers.image.base.name': final.base.name, ...(final.base.digest ? { 'org.opencontainers.image.base.digest': final.base.digest } : {}) } };
  }
  if (opts.labels) image = withLabels(image, opts.labels);
  if (opts.annotations && Object.keys(opts.annotations).length) image = { ...image, annotations: { ...(image.annotations ?? {}), ...opts.annotations } };
  return {
    image,
    digest: { oci: manifestBlob(image, 'oci').digest, docker: manifestBlob(image, 'docker').digest },
    bases,
    layers: r.layers,
    epoch: epoch.epoch,
    epochFrom: epoch.from,
    store,
    dockerfile: file,
  };
}
