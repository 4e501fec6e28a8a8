import type { Ctx } from '../kit.js';
import { fail, keys, obj, oneOf, str } from '../kit.js';
import type { TagPolicyConfig } from '../types.js';
import { cut, didYouMean } from '@pipeline/core';

/** What the unique tag of an OS/middleware build may say (docs/tags.md). */
export const UNIQUE_PLACEHOLDERS = ['version', 'major', 'minor', 'patch', 'inputs', 'revision', 'base', 'date', 'build'] as const;
/** One of these makes each build's tag its own; {inputs} alone is unique for sure (the others are checked at push). */
const IDENTIFYING = ['inputs', 'revision', 'build'];
const VERSIONISH = ['version', 'major', 'minor', 'patch'];
export const DEFAULT_UNIQUE_TAG = '{version}-{inputs}';

/** `tag-policy:` – how version tags of OS/middleware images behave when an image is rebuilt. */
export function parseTagPolicy(ctx: Ctx, raw: unknown): TagPolicyConfig {
  if (raw === undefined || raw === null) return { versionTags: 'move', unique: DEFAULT_UNIQUE_TAG };
  const path = ['tag-policy'];
  const r = obj(ctx, path, raw);
  keys(ctx, path, r, ['version-tags', 'unique']);
  const versionTags = r['version-tags'] === undefined ? 'move' : oneOf(ctx, [...path, 'version-tags'], r['version-tags'], ['move', 'immutable'] as const);
  const unique = r.unique === undefined ? DEFAULT_UNIQUE_TAG : str(ctx, [...path, 'unique'], r.unique, 'a tag template like "{version}-{inputs}"');
  checkUniqueTemplate(ctx, [...path, 'unique'], unique);
  return { versionTags, unique };
}

function checkUniqueTemplate(ctx: Ctx, path: (string | number)[], t: string): void {
  const used = [...t.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
  for (const p of used) {
    if ((UNIQUE_PLACEHOLDERS as readonly string[]).includes(p)) continue;
    const m = didYouMean(p, UNIQUE_PLACEHOLDERS);
    fail(ctx, path, `unknown placeholder {${cut(p)}}${m ? ` (did you mean {${m}}?)` : ''}; allowed: ${UNIQUE_PLACEHOLDERS.map((x) => `{${x}}`).join(', ')}`);
  }
  if (!used.some((p) => VERSIONISH.includes(p))) fail(ctx, path, `Expected the unique tag to carry the version ({version}, {major}, {minor} or {patch}), got '${cut(t)}'`, { hint: 'e.g. "{version}-{inputs}"' });
  if (!used.some((p) => IDENTIFYING.includes(p))) fail(ctx, path, `Expected the unique tag to name the build ({inputs}, {revision} or {build}), got '${cut(t)}'`, { hint: 'without one, two builds of the same version get the same "unique" tag; {inputs} is unique for sure' });
  if (!/^[\w][\w.-]{0,127}$/.test(t.replace(/\{[^}]*\}/g, 'x'))) fail(ctx, path, `Expected a tag of letters, digits, '_', '.', '-' (not starting with '.' or '-'), got '${cut(t)}'`);
}
