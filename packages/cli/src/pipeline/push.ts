import { PipelineError, formatReference, parseReference, type Logger } from '@pipeline/core';
import { clientPool, copyManifest, getManifest, pushImage, type Credentials, type GitInfo, type Image, type PushResult, type TestResult } from '@pipeline/build';
import { writeTestsRecord } from './destination.js';
import { loadSource } from './load.js';
import type { PlannedImage } from './plan.js';
import { writeRecord, type BuildRecord } from './record.js';

/** An image ready to push: built (in memory), in its local copy, or in a registry. */
export interface Ready {
  image?: Image;
  digest: string;
  source: string;
  local?: string;
}

export interface PushStepOptions {
  /** The image as built or read from its local copy; absent when it is only in a registry. */
  image?: Image;
  digest: string;
  /** Where it is when not built here (`registry/repo@digest`). */
  source?: string;
  /** A repository of the same registry that may hold some of its layers (its base's): mounted from, not uploaded. */
  mountFrom?: string;
  /** Passed tests to record beside it (when the destination does not hold that record yet). */
  tests?: { fingerprint: string; results: TestResult[] };
  force?: boolean;
  insecure?: string[];
  logins?: Record<string, Credentials>;
  env?: NodeJS.ProcessEnv;
  revision?: string;
  logger: Logger;
}

export interface PushOutcome {
  repository: string;
  /** Tags written in this run (tags already at this image are left alone). */
  tags: string[];
  uploadedBytes: number;
  mountedBlobs: number;
  skippedBlobs: number;
  testsRecorded: boolean;
}

/**
 * Layers built here carry no location; those the image shares with its base are in the base's
 * repository already: a mount there (declined for the others, which then upload in the same session).
 */
function withMountSource(image: Image, registry: string, repository: string | undefined): Image {
  if (!repository) return image;
  return { ...image, layers: image.layers.map((l) => (l.location ? l : { ...l, location: { registry, repository }, open: () => l.open() })) };
}

/** Whether a planned image has anything to push: a tag to write, or a tests record to leave. */
export const needsPush = (p: PlannedImage, testsPassed: boolean): boolean => p.tags.some((t) => t.state !== 'same') || (testsPassed && !p.tests.passedRemotely && !!p.tests.fingerprint);

/**
 * Puts one image into its destination: from the image itself (blobs skipped, mounted or uploaded),
 * or – when it is only in a registry – by its exact manifest bytes, so its digest is the same
 * everywhere; then its tags (all or nothing as far as the registry allows), then its tests record.
 */
export async function pushStep(p: PlannedImage, o: PushStepOptions): Promise<PushOutcome> {
  const d = p.destination!;
  const client = await d.client();
  const tags = p.tags.map((t) => t.tag);
  const immutable = new Set(p.tags.filter((t) => t.immutable).map((t) => t.tag));
  const opts = { tags, force: o.force, immutableTags: (t: string) => immutable.has(t) };
  const r: PushResult = await o.logger.group(`push ${d.name}`, async () => {
    if (o.image) return pushImage(client, withMountSource(o.image, d.repo.registry, o.mountFrom), d.repo, opts);
    const src = parseReference(o.source!);
    const srcClient = src.registry === d.repo.registry ? client : await clientPool({ insecure: o.insecure, logins: o.logins, env: o.env })(src.registry);
    const m = await getManifest(srcClient, { registry: src.registry, repository: src.repository, digest: o.digest as `sha256:${string}` });
    return copyManifest(client, { client: srcClient, repository: src.repository, manifest: { bytes: m.bytes, digest: m.digest, mediaType: m.mediaType } }, d.repo, opts);
  });
  let testsRecorded = false;
  if (o.tests && !p.tests.passedRemotely) {
    await writeTestsRecord(client, d.repo, { mediaType: r.mediaType, digest: r.digest, size: r.size }, o.tests.fingerprint, o.tests.results, o.revision);
    testsRecorded = true;
  }
  o.logger.info(`pushed ${formatReference({ ...d.repo, digest: r.digest })}: ${r.tags.length ? `tags ${r.tags.join(', ')}` : 'no tag changed'}; ${r.uploadedBytes} bytes sent, ${r.mountedBlobs} mounted, ${r.skippedBlobs} already there${testsRecorded ? '; tests recorded' : ''}`);
  return { repository: d.name, tags: r.tags, uploadedBytes: r.uploadedBytes, mountedBlobs: r.mountedBlobs, skippedBlobs: r.skippedBlobs, testsRecorded };
}

/**
 * The push phase: every ready image that has something to push, bases first. A failure stops it with
 * an exact account: which images went where (tags written), which did not; running again pushes the rest.
 */
export async function pushAll(plan: PlannedImage[], ready: Map<string, Ready>, outcomes: { name: string; tests: TestResult[]; source?: string; pushed?: PushOutcome }[], record: BuildRecord, o: { dir: string; git?: GitInfo; force?: boolean; insecure?: string[]; logins?: Record<string, Credentials>; env?: NodeJS.ProcessEnv; logger: Logger }): Promise<void> {
  const log = o.logger;
  const insecure = o.insecure;
  const done: string[] = [];
  for (const [i, p] of plan.entries()) {
    const r = ready.get(p.name);
    if (!r || !p.destination) continue;
    const rec = record.images[p.name];
    const passed = rec.tests?.ok === true && rec.tests.digest === r.digest && rec.tests.fingerprint === p.tests.fingerprint;
    const outcome = outcomes.find((x) => x.name === p.name)!;
    // Every chosen image ends up in its repository: there already (nothing to push), or pushed now.
    if (!needsPush(p, passed)) {
      outcome.source = rec.source = `${p.destination.name}@${r.digest}`;
      continue;
    }
    try {
      if (!r.image && r.source.startsWith('oci:')) r.image = (await loadSource(r.source)).image;
      const pushed = await pushStep(p, { image: r.image, digest: r.digest, source: r.source, tests: passed ? { fingerprint: p.tests.fingerprint!, results: outcome.tests } : undefined, mountFrom: p.parent ? plan.find((x) => x.name === p.parent)?.destination?.repo.repository : undefined, force: o.force, insecure, logins: o.logins, env: o.env, revision: o.git?.sha, logger: log });
      outcome.pushed = pushed;
      outcome.source = rec.source = `${p.destination.name}@${r.digest}`;
      rec.pushed = { ...(rec.pushed ?? {}), [p.destination.name]: { digest: r.digest, tags: p.tags.map((t) => t.tag) } };
      rec.revision = o.git?.sha ?? rec.revision;
      await writeRecord(o.dir, record);
      done.push(`${p.name} → ${p.destination.name}@${r.digest}${pushed.tags.length ? ` (${pushed.tags.join(', ')})` : ''}`);
    } catch (e) {
      const rest = plan.slice(i + 1).filter((x) => ready.has(x.name)).map((x) => x.name);
      const said = done.length ? `pushed before this failure: ${done.join('; ')}` : 'nothing was pushed before it';
      if (e instanceof PipelineError) {
        throw new PipelineError(e.kind, `${e.message}\n  ${said}; not pushed: ${[p.name, ...rest].join(', ')}`, { exitCode: e.exitCode, hint: e.hint ?? 'run the same command again: what is in place is kept, the rest is pushed', cause: e, position: e.position });
      }
      throw e;
    }
  }
}
