import { quote } from '@pipeline/core';
/**
 * Go's filepath.Match on one path (`*`, `?`, `[...]` with `^` negation and ranges, `\` escapes;
 * none of them match `/`), compiled to a RegExp. Throws on a malformed pattern, as Go's
 * ErrBadPattern.
 */
export function goMatchRegExp(pattern: string): RegExp {
  let re = '^';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      if (i + 1 >= chars.length) throw new SyntaxError(`bad pattern ${quote(pattern)}: trailing backslash`);
      re += escapeRe(chars[++i]);
    } else if (c === '[') {
      let j = i + 1;
      let cls = '';
      if (chars[j] === '^') (cls += '^'), j++;
      let first = true;
      for (; ; first = false) {
        if (j >= chars.length) throw new SyntaxError(`bad pattern ${quote(pattern)}: unclosed [`);
        if (chars[j] === ']' && !first) break;
        let lo = chars[j++];
        if (lo === '-' || lo === ']') throw new SyntaxError(`bad pattern ${quote(pattern)}: bad range`);
        if (lo === '\\') lo = chars[j++] ?? '';
        if (lo === '') throw new SyntaxError(`bad pattern ${quote(pattern)}: bad range`);
        cls += escapeClass(lo);
        if (chars[j] === '-') {
          j++;
          let hi = chars[j++];
          if (hi === '-' || hi === ']') throw new SyntaxError(`bad pattern ${quote(pattern)}: bad range`);
          if (hi === '\\') hi = chars[j++];
          if (hi === undefined || hi < lo) throw new SyntaxError(`bad pattern ${quote(pattern)}: bad range`);
          cls += `-${escapeClass(hi)}`;
        }
      }
      // Go's class never matches the separator, negated or not.
      re += cls.startsWith('^') ? `[${cls}/]` : `(?!/)[${cls}]`;
      i = j;
    } else re += escapeRe(c);
  }
  return new RegExp(`${re}$`, 'su');
}

export function goMatch(pattern: string, name: string): boolean {
  return goMatchRegExp(pattern).test(name);
}

export const hasGlob = (s: string): boolean => /[*?[\\]/.test(s);

const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const escapeClass = (c: string) => c.replace(/[\]\\^-]/g, '\\$&');
