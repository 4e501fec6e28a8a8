/**
 * Shell patterns for ${VAR#p} ${VAR%p} ${VAR/p/r}, as moby's convertShellPatternToRegex:
 * `*` any string, `?` one character, `\` escapes * ? \ (and drops itself before } and /).
 * Returns a message instead of a RegExp for an invalid escape.
 */
export function patternToRegex(pattern: string, greedy: boolean, anchored: boolean): RegExp | string {
  let out = anchored ? '^' : '';
  for (let i = 0; i < pattern.length; i++) {
    let ch = pattern[i];
    if (ch === '*') {
      out += greedy ? '.*' : '.*?';
      continue;
    }
    if (ch === '?') {
      out += '.';
      continue;
    }
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === '}' || next === '/') continue;
      if (next !== '*' && next !== '?' && next !== '\\') return `invalid escape "\\${next ?? ''}" in the pattern ${JSON.stringify(pattern)}`;
      out += '\\';
      ch = pattern[++i];
    } else if ('[]{}.+()|^$'.includes(ch)) out += '\\';
    out += ch;
  }
  return new RegExp(out, 'u');
}

/** Reverses a pattern keeping `\x` escapes in front of their character (for suffix matching). */
function reversePattern(p: string): string {
  const tokens: string[] = [];
  for (let i = 0; i < p.length; i++) tokens.push(p[i] === '\\' && i + 1 < p.length ? p[i] + p[++i] : p[i]);
  return tokens.reverse().join('');
}

const reverse = (s: string) => [...s].reverse().join('');

/** ${VAR#p} / ${VAR##p}: removes the shortest / longest matching prefix. */
export function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const re = patternToRegex(pattern, greedy, true);
  if (typeof re === 'string') throw new Error(re);
  const m = re.exec(value);
  return m ? value.slice(m[0].length) : value;
}

/** ${VAR%p} / ${VAR%%p}: removes the shortest / longest matching suffix (a prefix of the reversed value). */
export function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  return reverse(trimPrefix(reversePattern(pattern), reverse(value), greedy));
}

/** ${VAR/p/r} and ${VAR//p/r}: the replacement is literal. */
export function replace(pattern: string, value: string, replacement: string, all: boolean): string {
  const re = patternToRegex(pattern, true, false);
  if (typeof re === 'string') throw new Error(re);
  return value.replace(new RegExp(re.source, all ? 'gu' : 'u'), () => replacement);
}
