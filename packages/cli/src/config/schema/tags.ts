import type { Ctx } from '../kit.js';
import { fail, warnOrFail } from '../kit.js';
import type { Path } from '../source.js';
import { didYouMean } from '../suggest.js';

export const PLACEHOLDERS = ['version', 'major', 'minor', 'sha', 'short', 'branch'] as const;
const VERSION_PH = ['version', 'major', 'minor'];
const SHA_PH = ['sha', 'short'];

const placeholders = (tag: string): string[] => [...tag.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);

/** Checks the template syntax: known placeholders, and literal parts that are legal in a tag. */
export function checkTagTemplate(ctx: Ctx, path: Path, tag: string): void {
  for (const p of placeholders(tag)) {
    const m = didYouMean(p, PLACEHOLDERS);
    if (!(PLACEHOLDERS as readonly string[]).includes(p)) fail(ctx, path, `unknown placeholder {${p}}${m ? ` (did you mean {${m}}?)` : ''}; allowed: ${PLACEHOLDERS.map((x) => `{${x}}`).join(', ')}`);
  }
  const literal = tag.replace(/\{[^}]*\}/g, 'x');
  if (!/^[\w][\w.-]{0,127}$/.test(literal)) fail(ctx, path, `Expected a tag of letters, digits, '_', '.', '-' (not starting with '.' or '-'), got '${tag}'`);
}

/**
 * The tag policy: an image with `version:` (OS, middleware) carries its version in a tag;
 * an image without one (an app) is tagged with the git SHA, so every tag names the commit that built it.
 */
export function checkTagPolicy(ctx: Ctx, path: Path, tags: string[], hasVersion: boolean): void {
  const all = tags.flatMap(placeholders);
  if (hasVersion) {
    if (!all.some((p) => VERSION_PH.includes(p))) fail(ctx, [...path, 'tags'], `Expected a tag with {version}, {major} or {minor} for a versioned image, got ${tags.map((t) => `'${t}'`).join(', ')}`, { hint: 'OS and middleware images are tagged with their software version' });
    if (tags.some((t) => placeholders(t).includes('branch'))) warnOrFail(ctx, [...path, 'tags'], 'a {branch} tag moves with every push; bases built on it change under their users');
  } else {
    for (const [i, t] of tags.entries()) {
      const ph = placeholders(t);
      if (ph.some((p) => VERSION_PH.includes(p))) fail(ctx, [...path, 'tags', i], `{${ph.find((p) => VERSION_PH.includes(p))}} needs a version: key on this image`, { hint: 'add version: "1.2.3" (or { label: … } / { arg: … }), or tag with {sha}' });
    }
    if (!all.some((p) => SHA_PH.includes(p))) fail(ctx, [...path, 'tags'], `Expected a tag with {sha} or {short} for an image without version:, got ${tags.map((t) => `'${t}'`).join(', ')}`, { hint: 'app images are tagged with the git SHA; give OS/middleware images a version:' });
  }
}
