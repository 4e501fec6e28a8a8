import { sanitizeTag } from '@pipeline/build';
import type { TagPolicyConfig } from '../config/index.js';
import { expandTags } from './version.js';

/**
 * The tag policy (docs/tags.md), in one place:
 * - sha:     {sha}/{short} tags name a commit's image and never move.
 * - unique:  every build of an OS/middleware image also gets one tag of its own (tag-policy.unique),
 *            written when that image is first pushed somewhere; it never moves.
 * - version: {version}/{patch} tags (and the full {semver}) follow the latest build, as official
 *            images' tags do, unless tag-policy.version-tags is immutable (then they never move).
 * - alias:   {major}, {minor}, {branch}, literal tags: always follow the latest build.
 */
export type TagKind = 'sha' | 'unique' | 'version' | 'alias';

export interface TagSpec {
  tag: string;
  kind: TagKind;
  immutable: boolean;
}

export interface TagVars {
  version?: string;
  sha?: string;
  short?: string;
  branch?: string;
  semver?: string[];
}

export interface UniqueVars {
  inputs: string;
  revision?: string;
  base?: string;
  /** Seconds since 1970: the image's time, for {date}. */
  time?: number;
  build?: string;
}

const RANK: Record<TagKind, number> = { sha: 3, unique: 2, version: 1, alias: 0 };

function kindOf(template: string, index: number): TagKind {
  if (/\{(sha|short)\}/.test(template)) return 'sha';
  if (/\{(version|patch)\}/.test(template)) return 'version';
  if (template === '{semver}') return index === 0 ? 'version' : 'alias';
  return 'alias';
}

const immutableKind = (k: TagKind, immutableVersionTags: boolean) => k === 'sha' || k === 'unique' || (k === 'version' && immutableVersionTags);

/** An image's tags from its templates (its `tags:`, or the settings' tags), each with its kind. */
export function imageTags(templates: readonly string[], vars: TagVars, immutableVersionTags: boolean): TagSpec[] {
  const out = new Map<string, TagKind>();
  for (const t of templates) {
    expandTags([t], vars).forEach((tag, i) => {
      const k = kindOf(t, i);
      const had = out.get(tag);
      if (!had || RANK[k] > RANK[had]) out.set(tag, k);
    });
  }
  return [...out].map(([tag, kind]) => ({ tag, kind, immutable: immutableKind(kind, immutableVersionTags) }));
}

/** Placeholders of a unique-tag template that are not known yet (e.g. {build} outside CI). */
export function missingUniqueVars(policy: TagPolicyConfig, v: UniqueVars): string[] {
  const need = [...policy.unique.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  return need.filter((p) => (p === 'revision' && !v.revision) || (p === 'build' && !v.build) || (p === 'base' && !v.base));
}

/** An OS/middleware image's unique tag, e.g. `20-3f2a9c1b7d0e`; undefined for an app (its SHA tags are unique). */
export function uniqueTag(policy: TagPolicyConfig, version: string | undefined, v: UniqueVars): TagSpec | undefined {
  if (!version) return undefined;
  const [major, minor] = version.split('.');
  const date = v.time !== undefined ? new Date(v.time * 1000).toISOString().slice(0, 10).replace(/-/g, '') : undefined;
  const table: Record<string, string | undefined> = {
    version,
    patch: version,
    major,
    minor: minor !== undefined ? `${major}.${minor}` : major,
    inputs: v.inputs.slice(0, 12),
    revision: v.revision?.slice(0, 7),
    base: v.base,
    date,
    build: v.build,
  };
  const tag = policy.unique.replace(/\{(\w+)\}/g, (_m, k: string) => table[k] ?? k);
  return { tag: sanitizeTag(tag), kind: 'unique', immutable: true };
}
