import { existsSync } from 'node:fs';
import { parseReference, silentLogger, type Logger } from '@pipeline/core';
import { parseDockerfile, readDockerfile, parseImageSource, readTagStates, type Credentials, type Dockerfile, type GitInfo, type TagState } from '@pipeline/build';
import type { PipelineConfig } from '../config/index.js';
import { chainOf, parentsOf } from '../config/index.js';
import { changedParts, externalResolver, imageInputs, type InputParts } from './inputs.js';
import type { InputTimes } from './input-time.js';
import type { BuildRecord, ImageRecord } from './record.js';
import { destinations, INPUTS_ANNOTATION, type Destination, type RegistrySettings } from './destination.js';
import { imageTags, missingUniqueVars, uniqueTag, type TagSpec } from './tag-policy.js';
import { testsPlan, type TestsPlan } from './tests.js';
import { imageVersion } from './version.js';

/**
 * A tag's fate in this run: `new` (absent), `same` (already this image), `moves` (to this image,
 * the policy allows it), `conflict` (an immutable tag elsewhere: the run stops before anything is
 * pushed), `check` (an immutable tag pipeline did not write: compared once the image is built),
 * `unknown` (the registry could not be read; a push reads it, or stops).
 */
export interface TagPlan extends TagSpec {
  state: 'new' | 'same' | 'moves' | 'conflict' | 'check' | 'unknown';
  /** The digest it points at now, when it exists. */
  from?: string;
}

/** An image that exists without building: known to this checkout's record, or found in the destination. */
export interface Have {
  digest: string;
  /** `oci:DIR:ref` or `registry/repo@digest`: where children and tests read it. */
  source: string;
  where: 'record' | 'destination';
}

export interface PlannedImage {
  name: string;
  /** build: its inputs are new; reuse: an image with these inputs exists; skip: not chosen, and not there. */
  action: 'build' | 'reuse' | 'skip';
  /** Chosen for this run (positionals, PIPELINE_IMAGES…; every image when none is chosen): tested and pushed. */
  selected: boolean;
  /** Why (shown by `pipeline plan`). */
  reason: string;
  inputs: string;
  parts: InputParts;
  version?: string;
  dockerfile: Dockerfile;
  /** Internal parent image, when `from:` names one. */
  parent?: string;
  depth: number;
  /** External references pinned to what the plan resolved: the build reads exactly these. */
  pins: Record<string, string>;
  have?: Have;
  /** Every tag the image should carry in the destination, with its fate (empty without a registry). */
  tags: TagPlan[];
  /** Placeholders of the unique tag nobody set (e.g. {build} outside CI): pushing needs them. */
  missing: string[];
  tests: TestsPlan;
  destination?: Destination;
}

export interface PlanOptions {
  git?: GitInfo;
  cacheDir?: string;
  only?: string[];
  semver?: string[];
  /** Where images go; read to find images to reuse and to plan tags (a push needs it). */
  registry?: RegistrySettings;
  push?: boolean;
  test?: boolean;
  force?: boolean;
  immutableTags?: boolean;
  buildId?: string;
  /** Tags that replace the images' own (of the chosen ones, or of all): templates allowed. */
  tags?: string[];
  logins?: Record<string, Credentials>;
  times: InputTimes;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
}

/**
 * Decides the run, before anything is built or pushed: for every image of pipeline.yml, bases first,
 * whether an image with the same inputs already exists (here or in the destination), what each tag
 * will do, and whether its tests must run. The registry is only read here.
 */
export async function planBuild(cfg: PipelineConfig, record: BuildRecord, o: PlanOptions): Promise<PlannedImage[]> {
  const log = o.logger ?? silentLogger;
  const parents = parentsOf(cfg.images);
  const names = Object.keys(cfg.images);
  const byName = new Map<string, PlannedImage>();
  const dest = o.registry ? destinations(o.registry, { env: o.env, logger: log, logins: o.logins }) : undefined;
  let remoteUp = !!dest;
  const resolveRef = externalResolver(record, o, log);
  const out: PlannedImage[] = [];
  for (const name of cfg.order) {
    const img = cfg.images[name];
    const text = await readDockerfile(img.dockerfile);
    const df = parseDockerfile(text, img.dockerfile);
    const parent = img.from?.kind === 'image' ? img.from.name : undefined;
    const { parts, inputs } = await imageInputs(img, { text, df, imageNames: names, parentInputs: parent ? byName.get(parent)!.inputs : undefined, git: o.git, cacheDir: o.cacheDir, resolveRef });
    const pins = Object.fromEntries(parts.externals.map(([r, d]) => [r, `${r.replace(/@sha256:[a-f0-9]{64}$/, '')}@${d}`]));
    const version = imageVersion(img, df);
    const prev = record.images[name];

    const selected = !o.only?.length || o.only.includes(name);
    // Tags from the settings (--tag, PIPELINE_TAGS) replace the own tags: of every image, or of those chosen.
    const templates = o.tags?.length && selected ? o.tags : img.tags;
    let tags: TagSpec[] = imageTags(templates, { version, sha: o.git?.sha, short: o.git?.short, branch: o.git?.branch, semver: o.semver }, !!o.immutableTags);
    const uniqueVars = { inputs, build: o.buildId, base: parent ? byName.get(parent)!.version : baseTag(df, parts) };
    const needsTime = /\{(revision|date)\}/.test(cfg.tagPolicy.unique) && !!version;
    const time = needsTime ? await o.times.of(name) : undefined;
    const uv = { ...uniqueVars, revision: time?.revision, time: time?.time };
    const missing = version ? missingUniqueVars(cfg.tagPolicy, uv) : [];
    // Tags given for the run are all the tags it writes; the policy's unique tag comes with the image's own.
    const unique = version && !missing.length && templates === img.tags ? uniqueTag(cfg.tagPolicy, version, uv) : undefined;

    const destination = dest?.(name);
    let states = new Map<string, TagState | undefined>();
    if (destination && remoteUp) {
      try {
        states = await readTagStates(await destination.client(), destination.repo, [...tags.map((t) => t.tag), ...(unique ? [unique.tag] : [])]);
      } catch (e) {
        if (o.push) throw e;
        remoteUp = false;
        log.warn(`cannot read ${destination.repo.registry} (${(e as Error).message}): planning without it`);
      }
    }
    const remote = [...(unique ? [unique.tag] : []), ...tags.map((t) => t.tag)].map((t) => states.get(t)).find((s) => s?.annotations[INPUTS_ANNOTATION] === inputs);
    const local = localHave(prev, inputs);
    const have: Have | undefined = remote && destination ? { digest: remote.digest, source: `${destination.name}@${remote.digest}`, where: 'destination' } : local;
    // The unique tag names a build: an image reused from the destination keeps the one it got there.
    if (unique && !(remote && !states.get(unique.tag))) tags = [unique, ...tags];

    let action: PlannedImage['action'] = have ? 'reuse' : 'build';
    let reason: string;
    if (have) reason = have.where === 'destination' ? `up to date (in ${destination!.name})` : 'up to date';
    else if (parent && byName.get(parent)!.action === 'build' && prev?.parts?.base !== parts.base) reason = `its base ${parent} rebuilds`;
    else if (prev?.parts) reason = changedParts(parts, prev.parts);
    else reason = destination && remoteUp ? `never built (not in ${destination.name})` : 'never built here';
    if (!selected && action === 'build') (action = 'skip'), (reason = `not chosen (${reason})`);

    const p: PlannedImage = {
      name,
      action,
      selected,
      reason,
      inputs,
      parts,
      version,
      dockerfile: df,
      parent,
      depth: chainOf(parents, name).length,
      pins,
      have,
      tags: tags.map((t) => (destination && !remoteUp ? { ...t, state: 'unknown' as const } : tagPlan(t, states, have?.digest, inputs, !!o.force))),
      missing,
      tests: selected ? await testsPlan(cfg, name, prev, have, action, o, destination && remoteUp ? destination : undefined) : { run: false, reason: 'not chosen', passedRemotely: false },
      destination,
    };
    out.push(p);
    byName.set(name, p);
  }
  return out;
}

/** The external base's tag (for {base} of an OS image built FROM debian:12.5). */
function baseTag(df: Dockerfile, parts: InputParts): string | undefined {
  const from = df.stages[df.stages.length - 1]?.from.image.text;
  const ref = parts.externals.find(([r]) => r === from)?.[0] ?? parts.externals[0]?.[0];
  try {
    return ref ? parseReference(ref).tag : undefined;
  } catch {
    return undefined;
  }
}

/** The image the record knows with these inputs: its local copy if still there, else where it was pushed or found. */
function localHave(prev: ImageRecord | undefined, inputs: string): Have | undefined {
  if (!prev || prev.inputs !== inputs || !prev.digest) return undefined;
  const copy = prev.local ? parseImageSource(prev.local, '/') : undefined;
  if (copy?.kind === 'oci' && existsSync(copy.dir)) return { digest: prev.digest, source: prev.local!, where: 'record' };
  if (!prev.source.startsWith('oci:')) return { digest: prev.digest, source: prev.source, where: 'record' };
  return undefined;
}

function tagPlan(t: TagSpec, states: Map<string, TagState | undefined>, digest: string | undefined, inputs: string, force: boolean): TagPlan {
  const st = states.get(t.tag);
  if (!st) return { ...t, state: 'new' };
  const from = st.digest;
  if ((digest && st.digest === digest) || st.annotations[INPUTS_ANNOTATION] === inputs) return { ...t, state: 'same', from };
  if (!t.immutable || force) return { ...t, state: 'moves', from };
  // Known to differ (another image, or another build's inputs) – or only once this one is built.
  return { ...t, state: digest || st.annotations[INPUTS_ANNOTATION] ? 'conflict' : 'check', from };
}
