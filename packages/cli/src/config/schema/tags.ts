import type { Ctx } from '../kit.js';
import { fail, warnOrFail } from '../kit.js';
import type { Path } from '../source.js';
import { didYouMean, cut } from '@pipeline/core';

/** The same variables as @pipeline/build's computeTags; on an image without version: the version ones come from a v1.2.3 git tag. */
export const PLACEHOLDERS = ['version', 'major', 'minor', 'patch', 'semver', 'sha', 'short', 'branch'] as const;
const VERSION_PH = ['version', 'major', 'minor', 'patch', 'semver'];
const SHA_PH = ['sha', 'short'];

const placeholders = (tag: string): string[] => [...tag.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);

/** Checks the template syntax: known placeholders, and literal parts that are legal in a tag. */
export function checkTagTemplate(ctx: Ctx, path: Path, tag: string): void {
  for (const p of placeholders(tag)) {
    const m = didYouMean(p, PLACEHOLDERS);
    if (!(PLACEHOLDERS as readonly string[]).includes(p)) fail(ctx, path, `unknown placeholder {${p}}${m ? ` (did you mean {${m}}?)` : ''}; allowed: ${PLACEHOLDERS.map((x) => `{${x}}`).join(', ')}`);
  }
  const literal = tag.replace(/\{[^}]*\}/g, 'x');
  if (!/^[\w][\w.-]{0,127}$/.test(literal)) fail(ctx, path, `Expected a tag of letters, digits, '_', '.', '-' (not starting with '.' or '-'), got '${cut(tag)}'`);
}

/**
 * The tag policy: an image with `version:` (OS, middleware) carries its version in a tag;
 * an image without one (an app) always carries a git SHA tag, so it names the commit that built it
 * (semver tags from a git v-tag may come beside it).
 */
export function checkTagPolicy(ctx: Ctx, path: Path, tags: string[], hasVersion: boolean): void {
  const all = tags.flatMap(placeholders);
  if (hasVersion) {
    if (!all.some((p) => VERSION_PH.includes(p))) fail(ctx, [...path, 'tags'], `Expected a tag with {version}, {major}, {minor}, {patch} or {semver} for a versioned image, got ${tags.map((t) => `'${cut(t)}'`).join(', ')}`, { hint: 'OS and middleware images are tagged with their software version' });
    if (tags.some((t) => placeholders(t).includes('branch'))) warnOrFail(ctx, [...path, 'tags'], 'a {branch} tag moves with every push; bases built on it change under their users');
  } else {
    if (!all.some((p) => SHA_PH.includes(p))) fail(ctx, [...path, 'tags'], `Expected a tag with {sha} or {short} for an image without version:, got ${tags.map((t) => `'${cut(t)}'`).join(', ')}`, { hint: 'app images are tagged with the git SHA; give OS/middleware images a version:' });
  }
}
