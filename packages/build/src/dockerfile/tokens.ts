import { DockerfileError } from '@pipeline/core';
import type { Pos } from './types.js';

export interface Token {
  text: string;
  offset: number;
}

/**
 * Splits on whitespace outside quotes, keeping quotes and escapes in the token (expansion removes
 * them later, as Docker's lexer does). An unterminated quote is an error at the quote.
 */
export function splitWords(text: string, base: number, escape: string, where: { file: string; at(o: number): Pos }): Token[] {
  const out: Token[] = [];
  let cur = '';
  let start = -1;
  let quote: string | undefined;
  let quoteAt = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (start < 0 && /\s/.test(ch) && !quote) continue;
    if (start < 0) start = i;
    if (quote) {
      cur += ch;
      if (ch === escape && quote === '"' && i + 1 < text.length) cur += text[++i];
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (/\s/.test(ch)) {
      out.push({ text: cur, offset: base + start });
      cur = '';
      start = -1;
      continue;
    }
    if (ch === escape && i + 1 < text.length) {
      cur += ch + text[++i];
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      quoteAt = i;
    }
    cur += ch;
  }
  if (quote) throw new DockerfileError(`unterminated ${quote === '"' ? 'double' : 'single'} quote`, { file: where.file, ...where.at(base + quoteAt) }, `Expected a closing ${quote}`);
  if (start >= 0) out.push({ text: cur, offset: base + start });
  return out;
}

/** Leading `--name[=value]` flags; the rest starts at `restOffset`. */
export function splitFlags(text: string, base: number): { flags: { name: string; value?: string; offset: number }[]; rest: string; restOffset: number } {
  const flags: { name: string; value?: string; offset: number }[] = [];
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (!text.startsWith('--', i)) break;
    let j = i;
    while (j < text.length && !/\s/.test(text[j])) j++;
    const tok = text.slice(i + 2, j);
    const eq = tok.indexOf('=');
    flags.push(eq < 0 ? { name: tok, offset: base + i } : { name: tok.slice(0, eq), value: tok.slice(eq + 1), offset: base + i });
    i = j;
  }
  return { flags, rest: text.slice(i), restOffset: base + i };
}

/** Exec form: a JSON array of strings. undefined when the text is not JSON-shaped at all. */
export function parseJsonArray(text: string): string[] | undefined | 'invalid' {
  const t = text.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    return 'invalid';
  } catch {
    return 'invalid';
  }
}
