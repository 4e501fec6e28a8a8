import { DockerfileError } from '@pipeline/core';
import type { Pos } from './types.js';

/** One logical instruction: continuation lines joined, with a map back to source positions. */
export interface LogicalLine {
  text: string;
  pos: Pos;
  /** offset in `text` → source position, for columns of later tokens. */
  at(offset: number): Pos;
}

export interface Directives {
  escape: '\\' | '`';
  syntax?: string;
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.*?)\s*$/;

/**
 * Reads parser directives, as Docker does: only at the very top, each once; the first line that
 * is not a directive (an empty line, a comment, an instruction) ends them.
 */
export function readDirectives(lines: string[], file: string): { directives: Directives; first: number } {
  const d: Directives = { escape: '\\' };
  const seen = new Set<string>();
  let i = 0;
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]);
    if (!m) break;
    const key = m[1].toLowerCase();
    if (key !== 'escape' && key !== 'syntax' && key !== 'check') break; // an unknown directive is a comment
    if (seen.has(key)) throw new DockerfileError(`the parser directive "${key}" is given twice`, { file, line: i + 1, column: 1 }, 'Expected each directive at most once');
    seen.add(key);
    if (key === 'escape') {
      if (m[2] !== '\\' && m[2] !== '`') throw new DockerfileError(`Expected # escape=\\ or # escape=\`, got ${JSON.stringify(m[2])}`, { file, line: i + 1, column: lines[i].indexOf(m[2]) + 1 });
      d.escape = m[2];
    } else if (key === 'syntax') d.syntax = m[2];
  }
  return { directives: d, first: i };
}

/** Splits the file into logical lines: comments dropped (also inside continuations), continuations joined. */
export function logicalLines(lines: string[], start: number, escape: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  let parts: { text: string; line: number; col: number }[] = [];
  const flush = () => {
    if (!parts.length) return;
    const segs = parts;
    const text = segs.map((s) => s.text).join('');
    const first = segs.find((s) => s.text.trim()) ?? segs[0];
    const lead = first.text.length - first.text.trimStart().length;
    const startOffset = segs.slice(0, segs.indexOf(first)).reduce((n, s) => n + s.text.length, 0) + lead;
    const at = (offset: number): Pos => {
      let o = offset + startOffset;
      for (const s of segs) {
        if (o <= s.text.length || s === segs[segs.length - 1]) return { line: s.line, column: s.col + Math.min(o, s.text.length) };
        o -= s.text.length;
      }
      return { line: first.line, column: first.col };
    };
    out.push({ text: text.trim(), pos: { line: first.line, column: first.col + lead }, at });
    parts = [];
  };
  for (let i = start; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    const trimmed = raw.trimStart();
    if (trimmed.startsWith('#')) continue; // a comment, even between continuation lines
    if (!trimmed && !parts.length) continue;
    if (!trimmed) continue; // empty continuation lines are allowed and ignored
    const body = raw.replace(/\s+$/, '');
    if (body.endsWith(escape)) {
      parts.push({ text: body.slice(0, -1), line: i + 1, col: 1 });
      continue;
    }
    parts.push({ text: raw, line: i + 1, col: 1 });
    flush();
  }
  flush();
  return out;
}
