import { DockerfileError, cut, quote } from '@pipeline/core';
import type { VarLookup, Word } from './types.js';
import { replace, trimPrefix, trimSuffix } from './pattern.js';

export interface ExpandOptions {
  file: string;
  escape: '\\' | '`';
}

/** moby's wordsStruct: expanded text splits at whitespace, quoted text never does; empty words vanish. */
class Words {
  list: string[] = [];
  private buf = '';
  private inWord = false;
  char(ch: string) {
    if (/\s/.test(ch)) {
      if (this.inWord && this.buf) (this.list.push(this.buf), (this.buf = ''), (this.inWord = false));
    } else this.rawChar(ch);
  }
  rawChar(ch: string) {
    this.buf += ch;
    this.inWord = true;
  }
  string(s: string) {
    for (const ch of s) this.char(ch);
  }
  rawString(s: string) {
    this.buf += s;
    this.inWord = true;
  }
  done(): string[] {
    if (this.buf) this.list.push(this.buf), (this.buf = '');
    return this.list;
  }
}

const SPECIAL = '@*#?-$!0';
const MAX_NESTING = 100;
const isDigit = (ch: string) => /\p{Nd}/u.test(ch);
const isNameChar = (ch: string) => ch === '_' || /[\p{L}\p{Nd}]/u.test(ch);

/**
 * Docker's word expansion, a port of moby/buildkit frontend/dockerfile/shell/lex.go: quotes
 * removed, escapes applied, `$VAR` `${VAR}` and the modifiers `:-` `-` `:+` `+` `:?` `?`
 * `#` `##` `%` `%%` `/` `//`. Positional and special parameters ($1, $@…) are never set.
 */
class Lexer {
  private i = 0;
  /** How many ${…} enclose the current position: each level costs stack (a hostile line nests thousands). */
  private depth = 0;
  constructor(
    private readonly s: string,
    private readonly lookup: VarLookup,
    private readonly o: ExpandOptions,
    private readonly word: Word,
  ) {}

  fail(message: string, at: number, hint?: string): never {
    throw new DockerfileError(`${message} in ${quote(this.s)}`, { file: this.o.file, line: this.word.pos.line, column: this.word.pos.column + at }, hint);
  }

  /** Reads until the unquoted `stop` (consumed) or the end. */
  process(stop: string | undefined, rawEscapes: boolean, startedAt = 0): { text: string; words: string[] } {
    const s = this.s;
    const esc = this.o.escape;
    const words = new Words();
    let text = '';
    while (this.i < s.length) {
      const ch = s[this.i];
      if (stop !== undefined && ch === stop) {
        this.i++;
        return { text, words: words.done() };
      }
      if (ch === '$') {
        const v = this.dollar();
        text += v;
        words.string(v);
      } else if (ch === "'" || ch === '"' || (ch === '<' && s[this.i + 1] === '<')) {
        const v = ch === "'" ? this.single() : ch === '"' ? this.double(rawEscapes) : this.heredocMarker();
        text += v;
        words.rawString(v);
      } else {
        this.i++;
        if (ch !== esc) {
          words.char(ch);
          text += ch;
          continue;
        }
        if (rawEscapes) (words.rawChar(ch), (text += ch));
        if (this.i >= s.length) break; // an escape at the very end is dropped
        const next = s[this.i++];
        words.rawChar(next);
        text += next;
      }
    }
    if (stop !== undefined) this.fail(stop === '}' ? 'unterminated ${…}: Expected "}"' : `Expected "${stop}"`, startedAt, 'Expected ${NAME}, ${NAME:-default} and the like, closed on the same line');
    return { text, words: words.done() };
  }

  private single(): string {
    const start = this.i;
    const end = this.s.indexOf("'", start + 1);
    if (end < 0) this.fail('unterminated single quote', start, "Expected a closing '");
    this.i = end + 1;
    return this.s.slice(start + 1, end);
  }

  private double(rawEscapes: boolean): string {
    const s = this.s;
    const esc = this.o.escape;
    const start = this.i++;
    let out = '';
    for (;;) {
      if (this.i >= s.length) this.fail('unterminated double quote', start, 'Expected a closing "');
      const ch = s[this.i];
      if (ch === '"') {
        this.i++;
        return out;
      }
      if (ch === '$') {
        out += this.dollar();
        continue;
      }
      this.i++;
      if (ch === esc) {
        if (rawEscapes) out += ch;
        if (this.i >= s.length) continue;
        const next = s[this.i];
        // Inside double quotes the escape only escapes " $ and itself; otherwise it stays.
        if (next === '"' || next === '$' || next === esc) {
          this.i++;
          out += next;
          continue;
        }
      }
      out += ch;
    }
  }

  /** `<<` and the blanks after it stay one word (moby keeps heredoc markers intact). */
  private heredocMarker(): string {
    const m = /^<<[ \t\r]*/.exec(this.s.slice(this.i))!;
    this.i += m[0].length;
    return m[0];
  }

  private name(): string {
    const s = this.s;
    const first = s[this.i];
    if (first === undefined) return '';
    if (isDigit(first)) {
      const start = this.i;
      while (this.i < s.length && isDigit(s[this.i])) this.i++;
      return s.slice(start, this.i);
    }
    if (SPECIAL.includes(first)) return s[this.i++];
    const start = this.i;
    while (this.i < s.length && isNameChar(s[this.i])) this.i++;
    return s.slice(start, this.i);
  }

  private dollar(): string {
    if (this.depth >= MAX_NESTING) this.fail(`variable substitutions nested more than ${MAX_NESTING} deep`, this.i, 'Expected ${A:-${B}}-style nesting a few levels deep');
    this.depth++;
    try {
      return this.substitution();
    } finally {
      this.depth--;
    }
  }

  private substitution(): string {
    const s = this.s;
    const start = this.i++;
    if (s[this.i] !== '{') {
      const name = this.name();
      return name ? (this.lookup(name) ?? '') : '$';
    }
    this.i++;
    if (this.i >= s.length) this.fail('unterminated ${: Expected "}"', start);
    if ('{}:'.includes(s[this.i])) this.fail('bad substitution: Expected a variable name after ${', start, 'Expected ${NAME}');
    const name = this.name();
    const ch = s[this.i++];
    if (ch === '}') return this.lookup(name) ?? '';
    if (ch === undefined) this.fail(`unterminated \${${cut(name)}: Expected "}"`, start);
    let mod = ch;
    if (ch === ':') mod += s[this.i++] ?? '';
    const op = mod[mod.length - 1];
    if (op === '/' && mod === '/') return this.substitute(name, start);
    if (!'+-?#%'.includes(op) || (mod.length === 2 && (op === '#' || op === '%'))) {
      this.process('}', false, start); // moby reads the word first: a missing } wins
      this.fail(`unsupported modifier ${quote(mod)} in \${${cut(name)}${cut(mod)}…}`, start, 'Expected one of :- - :+ + :? ? # ## % %% / //');
    }
    const raw = op === '#' || op === '%';
    let word = this.process('}', raw, start).text;
    const value = this.lookup(name);
    const unset = value === undefined || (mod.length === 2 && value === '');
    switch (op) {
      case '-':
        return unset ? word : value!;
      case '+':
        return unset ? '' : word;
      case '?':
        if (unset) this.fail(`${cut(name)}: ${cut(word) || (value === undefined ? 'is not allowed to be unset' : 'is not allowed to be empty')}`, start, `Expected ${cut(name)} to be set (--build-arg ${cut(name)}=… or ARG/ENV ${cut(name)}=…)`);
        return value!;
    }
    const greedy = word[0] === op;
    if (greedy) word = word.slice(1);
    try {
      return op === '%' ? trimSuffix(word, value ?? '', greedy) : trimPrefix(word, value ?? '', greedy);
    } catch (e) {
      return this.fail((e as Error).message, start);
    }
  }

  /** ${NAME/pattern/replacement} and ${NAME//pattern/replacement}. */
  private substitute(name: string, start: number): string {
    const all = this.s[this.i] === '/';
    if (all) this.i++;
    if (this.s.indexOf('/', this.i) < 0) this.fail(`\${${name}/…}: Expected "/" between the pattern and the replacement`, start);
    const pattern = this.process('/', true, start).text;
    const replacement = this.process('}', true, start).text;
    try {
      return replace(pattern, this.lookup(name) ?? '', replacement, all);
    } catch (e) {
      return this.fail((e as Error).message, start);
    }
  }
}

/** Expands a word to one string (ENV values, WORKDIR, USER, LABEL, COPY sources…). */
export function expandWord(word: Word, lookup: VarLookup, o: ExpandOptions): string {
  return new Lexer(word.text, lookup, o, word).process(undefined, false).text;
}

/** Expands and splits at unquoted whitespace, including whitespace that came from a variable (EXPOSE, VOLUME…). */
export function expandWords(word: Word, lookup: VarLookup, o: ExpandOptions): string[] {
  return new Lexer(word.text, lookup, o, word).process(undefined, false).words;
}
