import { quote } from '@pipeline/core';
import { cleanPath } from './clean.js';
import { goMatchRegExp } from './go-match.js';

type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

/** One .dockerignore pattern, compiled as moby/patternmatcher does (including its fast paths). */
export class Pattern {
  readonly text: string;
  readonly exclusion: boolean;
  private readonly type: MatchType;
  private readonly re?: RegExp;

  constructor(raw: string) {
    let p = cleanPath(raw.trim());
    this.exclusion = p.startsWith('!');
    if (this.exclusion) {
      if (p.length === 1) throw new SyntaxError('illegal exclusion pattern: "!"');
      p = p.slice(1);
    }
    goMatchRegExp(p); // syntax check only, as patternmatcher calls filepath.Match(p, ".")
    this.text = p;
    const { type, re } = compile(p);
    this.type = type;
    this.re = re;
  }

  match(path: string): boolean {
    switch (this.type) {
      case 'exact':
        return path === this.text;
      case 'prefix':
        return path.startsWith(this.text.slice(0, -2));
      case 'suffix': {
        const suffix = this.text.slice(2);
        return path.endsWith(suffix) || (suffix[0] === '/' && path === suffix.slice(1));
      }
      default:
        return this.re!.test(path);
    }
  }
}

const ESCAPE = new Set([...'.+()|{}$']);

function compile(pattern: string): { type: MatchType; re?: RegExp } {
  let re = '^';
  let type: MatchType = 'exact';
  const cs = [...pattern];
  for (let i = 0, k = 0; k < cs.length; i++) {
    const ch = cs[k++];
    if (ch === '*') {
      if (cs[k] === '*') {
        k++;
        if (cs[k] === '/') k++; // `**/` is `**`
        if (k >= cs.length) {
          if (type === 'exact') type = 'prefix';
          else (re += '.*'), (type = 'regexp');
        } else (re += '(.*/)?'), (type = 'regexp');
        if (i === 0) type = 'suffix';
      } else (re += '[^/]*'), (type = 'regexp');
    } else if (ch === '?') (re += '[^/]'), (type = 'regexp');
    else if (ESCAPE.has(ch)) re += `\\${ch}`;
    else if (ch === '\\') {
      if (k < cs.length) (re += `\\${cs[k++]}`), (type = 'regexp');
      else re += '\\\\';
    } else if (ch === '[' || ch === ']') (re += ch), (type = 'regexp');
    else re += ch; // raw, as Go: `^` stays an anchor there too
  }
  if (type !== 'regexp') return { type };
  try {
    // No flags: Go's `.` does not match a newline either.
    return { type, re: new RegExp(`${re}$`) };
  } catch {
    throw new SyntaxError(`bad pattern ${quote(pattern)}`);
  }
}

/** Go's fsutil rule: an exception "with wildcards" can match anywhere, so no excluded dir may be skipped. */
function wildcardException(p: Pattern): boolean {
  let s = p.text;
  if (s.endsWith('/**')) s = s.slice(0, -3);
  else if (s.endsWith('/*')) s = s.slice(0, -2);
  return /[*[\]?^\\]/.test(s);
}

/** Ordered patterns with `!` exceptions: the last matching pattern wins, parents count. */
export class PatternMatcher {
  readonly patterns: Pattern[];
  readonly exclusions: boolean;
  private readonly onlyPrefixExceptions: boolean;

  constructor(patterns: string[]) {
    this.patterns = patterns.filter((p) => p.trim() !== '').map((p) => new Pattern(p));
    this.exclusions = this.patterns.some((p) => p.exclusion);
    this.onlyPrefixExceptions = !this.patterns.some((p) => p.exclusion && wildcardException(p));
  }

  /** patternmatcher.MatchesOrParentMatches: `path` is a clean slash path relative to the context. */
  matches(path: string): boolean {
    let matched = false;
    const slash = path.lastIndexOf('/');
    const parents = slash < 0 ? [] : path.slice(0, slash).split('/');
    for (const pattern of this.patterns) {
      if (pattern.exclusion !== matched) continue;
      let m = pattern.match(path);
      for (let i = 0; !m && i < parents.length; i++) m = pattern.match(parents.slice(0, i + 1).join('/'));
      if (m) matched = !pattern.exclusion;
    }
    return matched;
  }

  /** For an excluded dir: whether no exception could bring back anything below it (BuildKit's fsutil walk). */
  canSkipDir(dir: string): boolean {
    if (!this.exclusions) return true;
    if (!this.onlyPrefixExceptions) return false;
    const dirSlash = `${dir}/`;
    return !this.patterns.some((p) => p.exclusion && `${p.text}/`.startsWith(dirSlash));
  }
}
