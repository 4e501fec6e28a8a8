import { DockerfileError } from '@pipeline/core';
import type { Pos } from './types.js';

export interface Token {
  text: string;
  offset: number;
}

export interface Where {
  file: string;
  at(offset: number): Pos;
}

const isSpace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\v' || ch === '\f' || ch === '\r' || ch === '\n';

/**
 * moby's parseWords: splits on whitespace outside quotes, keeping quotes and escapes in the token
 * (expansion removes them later). An escape at the very end is dropped. Unlike moby, which leaves
 * an unterminated quote for the expander to trip on, we report it here at the quote.
 */
export function splitWords(text: string, base: number, escape: string, where: Where): Token[] {
  const out: Token[] = [];
  let cur = '';
  let start = -1;
  let quote = '';
  let quoteAt = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === escape && quote === '"') {
        if (i + 1 < text.length) cur += ch + text[++i];
        continue;
      }
      cur += ch;
      if (ch === quote) quote = '';
      continue;
    }
    if (isSpace(ch)) {
      if (start >= 0) out.push({ text: cur, offset: base + start });
      cur = '';
      start = -1;
      continue;
    }
    if (start < 0) start = i;
    if (ch === escape) {
      if (i + 1 < text.length) cur += ch + text[++i];
      continue;
    }
    if (ch === '"' || ch === "'") (quote = ch), (quoteAt = i);
    cur += ch;
  }
  if (quote) throw new DockerfileError(`unterminated ${quote === '"' ? 'double' : 'single'} quote`, { file: where.file, ...where.at(base + quoteAt) }, `Expected a closing ${quote} on the same instruction`);
  if (start >= 0) out.push({ text: cur, offset: base + start });
  return out;
}

/** Splits on runs of whitespace only (moby's parseStringsWhitespaceDelimited), with offsets. */
export function splitFields(text: string, base: number): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(/\S+/g)) out.push({ text: m[0], offset: base + m.index! });
  return out;
}

export interface RawFlag {
  name: string;
  /** The value with quotes and escapes removed, as moby passes it on; undefined without `=`. */
  value?: string;
  /** The value as written (quotes intact), for flags that are expanded later. */
  raw?: string;
  offset: number;
  valueOffset: number;
}

/**
 * moby's extractBuilderFlags: leading words starting with `--` are flags (quotes and escapes
 * inside them processed); a lone `--` ends the flags. The rest starts at `restOffset`.
 */
export function splitFlags(text: string, base: number, escape: string): { flags: RawFlag[]; rest: string; restOffset: number } {
  const flags: RawFlag[] = [];
  let i = 0;
  for (;;) {
    while (i < text.length && isSpace(text[i])) i++;
    if (!text.startsWith('--', i)) break;
    const start = i;
    let word = '';
    let quote = '';
    for (; i < text.length && (quote || !isSpace(text[i])); i++) {
      const ch = text[i];
      if (quote && ch === quote) quote = '';
      else if (!quote && (ch === '"' || ch === "'")) quote = ch;
      else if (ch === escape && i + 1 < text.length) word += text[++i];
      else if (ch !== escape) word += ch;
    }
    if (word === '--') break;
    const written = text.slice(start + 2, i);
    const eq = word.indexOf('=');
    const rawEq = written.indexOf('=');
    flags.push(
      eq < 0
        ? { name: word.slice(2), offset: base + start, valueOffset: base + i }
        : { name: word.slice(2, eq), value: word.slice(eq + 1), raw: written.slice(rawEq + 1), offset: base + start, valueOffset: base + start + 3 + rawEq },
    );
  }
  return { flags, rest: text.slice(i), restOffset: base + i };
}
