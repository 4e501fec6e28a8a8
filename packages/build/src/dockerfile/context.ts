import { DockerfileError } from '@pipeline/core';
import type { Word } from './types.js';
import type { LogicalLine } from './lines.js';
import { splitFields, splitWords, type Token } from './tokens.js';

/** What every instruction parser needs: where it is, the escape character, its keyword. */
export interface Ctx {
  file: string;
  escape: '\\' | '`';
  line: LogicalLine;
  keyword: string;
  /** Offset of the arguments (after the keyword and its whitespace) in line.text. */
  argsAt: number;
}

export const fail = (c: Ctx, offset: number, message: string, hint?: string) => new DockerfileError(message, { file: c.file, ...c.line.at(offset) }, hint);
export const toWord = (c: Ctx, t: Token): Word => ({ text: t.text, pos: c.line.at(t.offset) });
/** Quote-aware words (ENV, LABEL, ARG, COPY sources…). */
export const words = (c: Ctx, text: string, base: number) => splitWords(text, base, c.escape, { file: c.file, at: c.line.at });
/** Whitespace-separated fields, as moby splits FROM and EXPOSE. */
export const fields = splitFields;

/** A JSON-form string as one double-quoted word: kept whole, variables still expanded (as Docker does). */
export function quoteWord(s: string, esc: string): string {
  return `"${s.split(esc).join(esc + esc).split('"').join(`${esc}"`)}"`;
}
