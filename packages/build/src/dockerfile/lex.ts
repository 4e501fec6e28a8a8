import { DockerfileError } from '@pipeline/core';
import type { Pos, VarLookup, Word } from './types.js';

export interface ExpandOptions {
  file: string;
  escape: '\\' | '`';
}

type Piece = { text: string; quoted: boolean };

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/**
 * Docker's shell-lex word processing (buildkit frontend/dockerfile/shell/lex.go): quotes removed,
 * escapes applied, `$VAR` / `${VAR}` and the modifiers `:-` `-` `:+` `+` `:?` `?` expanded.
 */
class Lexer {
  private i = 0;
  constructor(private readonly s: string, private readonly lookup: VarLookup, private readonly o: ExpandOptions, private readonly pos: Pos) {}

  private fail(msg: string, at = this.i): never {
    throw new DockerfileError(msg, { file: this.o.file, line: this.pos.line, column: this.pos.column + at });
  }

  /** Reads until `stop` (unquoted) or the end; returns the pieces with their quotedness. */
  pieces(stop?: string): Piece[] {
    const out: Piece[] = [];
    const esc = this.o.escape;
    const s = this.s;
    while (this.i < s.length) {
      const ch = s[this.i];
      if (stop && ch === stop) return out;
      if (ch === "'") {
        const end = s.indexOf("'", this.i + 1);
        if (end < 0) this.fail('unterminated single quote');
        out.push({ text: s.slice(this.i + 1, end), quoted: true });
        this.i = end + 1;
      } else if (ch === '"') {
        this.i++;
        let text = '';
        for (;;) {
          if (this.i >= s.length) this.fail('unterminated double quote');
          const c = s[this.i];
          if (c === '"') break;
          if (c === esc && this.i + 1 < s.length) {
            const n = s[this.i + 1];
            text += n === '"' || n === '$' || n === esc ? n : c + n;
            this.i += 2;
          } else if (c === '$') text += this.variable(true);
          else (text += c), this.i++;
        }
        this.i++;
        out.push({ text, quoted: true });
      } else if (ch === esc) {
        if (this.i + 1 < s.length) out.push({ text: s[this.i + 1], quoted: true });
        else out.push({ text: ch, quoted: true });
        this.i += 2;
      } else if (ch === '$') {
        out.push({ text: this.variable(false), quoted: false });
      } else {
        out.push({ text: ch, quoted: ch.trim() !== '' });
        this.i++;
      }
    }
    if (stop) this.fail(`unterminated \${…}: Expected "${stop}"`);
    return out;
  }

  private variable(inDouble: boolean): string {
    const s = this.s;
    const start = this.i;
    this.i++; // $
    if (s[this.i] === '{') {
      this.i++;
      let name = '';
      while (this.i < s.length && NAME_CHAR.test(s[this.i])) name += s[this.i++];
      if (!name) this.fail('Expected a variable name after ${', start);
      if (s[this.i] === '}') {
        this.i++;
        return this.lookup(name) ?? '';
      }
      if (this.i >= s.length) this.fail(`unterminated \${${name}: Expected "}"`, start);
      let mod = s[this.i];
      if (mod === ':') mod += s[++this.i] ?? '';
      if (!['-', '+', '?', ':-', ':+', ':?'].includes(mod)) this.fail(`unsupported modifier ${JSON.stringify(mod)} in \${${name}…}`, this.i);
      this.i++;
      const word = this.pieces('}').map((p) => p.text).join('');
      this.i++; // }
      const v = this.lookup(name);
      const unsetOrEmpty = v === undefined || (mod.startsWith(':') && v === '');
      switch (mod.replace(':', '')) {
        case '-':
          return unsetOrEmpty ? word : v!;
        case '+':
          return unsetOrEmpty ? '' : word;
        default:
          if (unsetOrEmpty) this.fail(`${name}: ${word || 'is not set'}`, start);
          return v!;
      }
    }
    if (this.i < s.length && NAME_START.test(s[this.i])) {
      let name = '';
      while (this.i < s.length && NAME_CHAR.test(s[this.i])) name += s[this.i++];
      return this.lookup(name) ?? '';
    }
    void inDouble;
    return '$';
  }
}

export function expandWord(word: Word, lookup: VarLookup, o: ExpandOptions): string {
  return new Lexer(word.text, lookup, o, word.pos).pieces().map((p) => p.text).join('');
}

/** Like expandWord, but split into words at unquoted whitespace (also inside unquoted values). */
export function expandWords(word: Word, lookup: VarLookup, o: ExpandOptions): string[] {
  const words: string[] = [];
  let cur = '';
  let has = false;
  for (const p of new Lexer(word.text, lookup, o, word.pos).pieces()) {
    if (p.quoted) {
      cur += p.text;
      has = true;
      continue;
    }
    for (const ch of p.text) {
      if (/\s/.test(ch)) {
        if (has) words.push(cur);
        cur = '';
        has = false;
      } else (cur += ch), (has = true);
    }
  }
  if (has) words.push(cur);
  return words;
}
