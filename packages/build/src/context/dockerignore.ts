import { basename, dirname, join } from 'node:path';
import { ContextError, quote, readUserFile } from '@pipeline/core';
import { cleanPath } from './clean.js';
import { PatternMatcher } from './patterns.js';

/** What a walk asks of an ignore file; `path` is a clean slash path relative to the context. */
export interface Ignore {
  /** The file the patterns came from, for messages; undefined when there is none. */
  readonly file?: string;
  readonly patterns: readonly string[];
  ignores(path: string): boolean;
  /** True when `dir` is ignored and no exception could bring back anything below it. */
  canSkipDir(dir: string): boolean;
}

/**
 * moby/patternmatcher's ignorefile.ReadAll: `#` lines (before trimming) are comments, blanks
 * dropped, a UTF-8 BOM removed, each pattern trimmed and cleaned, a leading `/` removed.
 */
export function parseDockerignore(text: string): { pattern: string; line: number }[] {
  const out: { pattern: string; line: number }[] = [];
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, i) => {
    if (raw.startsWith('#')) return;
    let p = raw.trim();
    if (p === '') return;
    const invert = p.startsWith('!');
    if (invert) p = p.slice(1).trim();
    if (p.length > 0) {
      p = cleanPath(p);
      if (p.length > 1 && p.startsWith('/')) p = p.slice(1);
    }
    out.push({ pattern: invert ? `!${p}` : p, line: i + 1 });
  });
  return out;
}

/** An Ignore from pattern lines; a malformed pattern is a ContextError at its line. */
export function makeIgnore(patterns: { pattern: string; line: number }[] | string[], file?: string): Ignore {
  const list = patterns.map((p, i) => (typeof p === 'string' ? { pattern: p, line: i + 1 } : p));
  for (const p of list) {
    try {
      new PatternMatcher([p.pattern]);
    } catch (e) {
      throw new ContextError(`Expected a valid ignore pattern, got ${quote(p.pattern)}: ${(e as Error).message}`, { file: file ?? '.dockerignore', line: p.line, column: 1 });
    }
  }
  const pm = new PatternMatcher(list.map((p) => p.pattern));
  return {
    file,
    patterns: list.map((p) => p.pattern),
    ignores: (path) => path !== '.' && path !== '' && pm.matches(path),
    canSkipDir: (dir) => pm.canSkipDir(dir),
  };
}

export const noIgnore: Ignore = makeIgnore([]);

/** The ignore file's text, or undefined when there is none; a directory or an oversized file is the user's mistake. */
function readIfExists(file: string): Promise<string | undefined> {
  return readUserFile(file, { what: '.dockerignore', optional: true, error: (message, position, problem) => new ContextError(message, position, problem === 'directory' ? `remove or rename the directory ${basename(file)}: it must be a file of patterns, one per line` : undefined) });
}

/**
 * pipeline's own state directory (build record, local cache) is never part of an image: it changes
 * on every build, so a `COPY . /app` from the project root would never hit the cache. It comes
 * first, so a `!.pipeline` in .dockerignore still brings it back.
 */
const OWN = [{ pattern: '.pipeline', line: 0 }];

/**
 * The context's ignore rules as BuildKit finds them: `<Dockerfile>.dockerignore` beside the
 * Dockerfile wins over `<context>/.dockerignore`; neither means nothing is ignored (but .pipeline).
 */
export async function loadIgnore(contextDir: string, dockerfile?: string): Promise<Ignore> {
  const candidates = dockerfile ? [join(dirname(dockerfile), `${basename(dockerfile)}.dockerignore`)] : [];
  candidates.push(join(contextDir, '.dockerignore'));
  for (const file of candidates) {
    const text = await readIfExists(file);
    if (text !== undefined) return makeIgnore([...OWN, ...parseDockerignore(text)], file);
  }
  return makeIgnore(OWN);
}
