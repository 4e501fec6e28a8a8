import { createHash } from 'node:crypto';
import { contextFingerprint, parseDockerfile, readDockerfile, type Dockerfile, type GitInfo } from '@pipeline/build';
import type { PipelineConfig } from '../config/index.js';
import { chainOf, parentsOf } from '../config/index.js';
import type { BuildRecord } from './record.js';
import { expandTags, imageVersion } from './version.js';

export interface PlannedImage {
  name: string;
  action: 'build' | 'skip';
  /** Why it builds (or why not): shown by `pipeline plan`. */
  reason: string;
  inputs: string;
  parts: Record<'dockerfile' | 'context' | 'args' | 'base', string>;
  tags: string[];
  version?: string;
  dockerfile: Dockerfile;
  /** Internal parent image, when `from:` names one. */
  parent?: string;
  depth: number;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Decides what `pipeline build` builds: every image whose inputs' content changed (Dockerfile,
 * context after .dockerignore, build args, the base's identity), in dependency order, and every
 * image on top of one that rebuilds. Timestamps never count.
 */
export async function planBuild(cfg: PipelineConfig, record: BuildRecord, o: { git?: GitInfo; cacheDir?: string; only?: string[]; semver?: string[]; tags?: string[] }): Promise<PlannedImage[]> {
  const parents = parentsOf(cfg.images);
  const out: PlannedImage[] = [];
  const byName = new Map<string, PlannedImage>();
  for (const name of cfg.order) {
    const img = cfg.images[name];
    const text = await readDockerfile(img.dockerfile);
    const df = parseDockerfile(text, img.dockerfile);
    const parent = img.from?.kind === 'image' ? img.from.name : undefined;
    const parts = {
      dockerfile: sha(text),
      context: await contextFingerprint(img.context, img.dockerfile, o.cacheDir),
      args: sha(JSON.stringify([Object.entries(img.buildArgs).sort(), img.executor ?? 'native', img.platform ?? ''])),
      base: parent ? byName.get(parent)!.inputs : sha(img.from?.kind === 'external' ? img.from.ref : ''),
    };
    const inputs = sha(JSON.stringify(parts));
    const version = imageVersion(img, df);
    // Tags from the settings (--tag, PIPELINE_TAGS) replace the own tags: of every image, or of those chosen.
    const templates = o.tags?.length && (!o.only?.length || o.only.includes(name)) ? o.tags : img.tags;
    const tags = expandTags(templates, { version, sha: o.git?.sha, short: o.git?.short, branch: o.git?.branch, semver: o.semver });
    const prev = record.images[name];
    const prevParts = (prev as unknown as { parts?: PlannedImage['parts'] })?.parts;
    let action: PlannedImage['action'] = 'build';
    let reason: string;
    if (!prev) reason = 'never built';
    else if (prev.inputs === inputs) (action = 'skip'), (reason = 'up to date');
    else if (parent && byName.get(parent)!.action === 'build') reason = `its base ${parent} rebuilds`;
    else if (prevParts) {
      const changed = (Object.keys(parts) as (keyof typeof parts)[]).filter((k) => parts[k] !== prevParts[k]);
      reason = `${changed.map((k) => ({ dockerfile: 'Dockerfile', context: 'build context', args: 'build args/executor', base: 'base image' })[k]).join(', ')} changed`;
    } else reason = 'inputs changed';
    if (o.only?.length && !o.only.includes(name) && action === 'build') (action = 'skip'), (reason = `not selected (${reason})`);
    const p: PlannedImage = { name, action, reason, inputs, parts, tags, version, dockerfile: df, parent, depth: chainOf(parents, name).length };
    out.push(p);
    byName.set(name, p);
  }
  return out;
}
