import { createHash } from 'node:crypto';
import { cut, parseReference, type Logger } from '@pipeline/core';
import { contextFingerprint, externalImageRefs, registryResolver, sourceUrl, type Credentials, type Dockerfile, type GitInfo } from '@pipeline/build';
import type { ImageConfig } from '../config/index.js';
import type { BuildRecord } from './record.js';

/** Everything an image is made of, hashed one by one so a plan can say which changed. */
export interface InputParts {
  dockerfile: string;
  /** The build context as the build sees it (after .dockerignore): paths, modes, contents. */
  context: string;
  /** build-args, executor, platform, a fixed version: what pipeline.yml adds to the Dockerfile. */
  args: string;
  /** The pipeline base's own input fingerprint ('' for none). */
  base: string;
  /** Images read from registries (FROM, COPY --from): reference → the digest it resolved to. */
  externals: [string, string][];
}

export const PART_NAMES: Record<keyof InputParts, string> = { dockerfile: 'Dockerfile', context: 'build context', args: 'build args/executor', base: 'base image', externals: 'external image' };

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** Bumped when what goes into the fingerprint changes: every image then counts as changed once. */
const FORMAT = 2;

export const fingerprintOf = (parts: InputParts): string => sha(JSON.stringify({ format: FORMAT, ...parts }));

/** External references of an image: FROM/COPY --from names that are neither a stage nor another image of the pipeline. */
export function externalRefsOf(df: Dockerfile, img: ImageConfig, imageNames: string[]): string[] {
  return externalImageRefs(df, img.buildArgs).filter((r) => !imageNames.includes(r) && !imageNames.includes(r.replace(/:[^:/@]*$/, '')) && !/^(oci|oci-layout|docker-archive):/.test(r));
}

export interface InputsOptions {
  text: string;
  df: Dockerfile;
  imageNames: string[];
  parentInputs?: string;
  git?: GitInfo;
  cacheDir?: string;
  /** Resolves a registry reference to its digest. */
  resolveRef(ref: string): Promise<string>;
}

/** The parts and fingerprint of one image's inputs; the time of a build and HEAD never enter. */
export async function imageInputs(img: ImageConfig, o: InputsOptions): Promise<{ parts: InputParts; inputs: string }> {
  const refs = externalRefsOf(o.df, img, o.imageNames);
  const externals = await Promise.all(refs.map(async (r) => [r, await o.resolveRef(r)] as [string, string]));
  const parts: InputParts = {
    dockerfile: sha(o.text),
    context: await contextFingerprint(img.context, img.dockerfile, o.cacheDir),
    // The source URL is a label of every image: a fork's images differ from the original's.
    args: sha(JSON.stringify([Object.entries(img.buildArgs).sort(), img.executor ?? 'native', img.platform ?? '', img.version?.kind === 'fixed' ? img.version.value : '', sourceUrl(o.git?.remoteUrl) ?? ''])),
    base: o.parentInputs ?? (img.from?.kind === 'external' ? sha(img.from.ref) : ''),
    externals,
  };
  return { parts, inputs: fingerprintOf(parts) };
}

/** Which parts differ, in words ("Dockerfile, external image changed"). */
export function changedParts(now: InputParts, before: InputParts | undefined): string {
  if (!before) return 'inputs changed';
  const keys = (Object.keys(PART_NAMES) as (keyof InputParts)[]).filter((k) => JSON.stringify(now[k]) !== JSON.stringify(before[k]));
  return keys.length ? `${keys.map((k) => PART_NAMES[k]).join(', ')} changed` : 'inputs changed';
}

const short = (d: string) => d.replace(/^sha256:/, '').slice(0, 12);

/** Resolves external references once per run; offline, falls back to what the record last resolved. */
export function externalResolver(record: BuildRecord, o: { registry?: { url: string; insecure: boolean }; push?: boolean; env?: NodeJS.ProcessEnv; logins?: Record<string, Credentials> }, log: Logger): (ref: string) => Promise<string> {
  const resolver = registryResolver({ insecure: o.registry?.insecure ? [o.registry.url] : undefined, env: o.env, logger: log, logins: o.logins });
  const memo = new Map<string, Promise<string>>();
  return (text) => {
    let p = memo.get(text);
    if (!p) {
      p = resolver(parseReference(text)).catch((e: unknown) => {
        const known = Object.values(record.images).flatMap((r) => r.parts?.externals ?? []).find(([r]) => r === text)?.[1];
        if (!known || o.push) throw e;
        log.warn(`cannot resolve ${cut(text)} (${(e as Error).message}): using ${short(known)}, what the last build resolved`);
        return known;
      });
      memo.set(text, p);
    }
    return p;
  };
}
