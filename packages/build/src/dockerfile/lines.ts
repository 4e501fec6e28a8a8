import { DockerfileError, quote } from '@pipeline/core';
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
  check?: string;
}

// moby: `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` after `#` and optional whitespace.
const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const KNOWN = new Set(['escape', 'syntax', 'check']);

/** A line without its end-of-line characters (moby trims every trailing \r and \n). */
const chomp = (line: string) => line.replace(/[\r\n]+$/, '');

/**
 * Reads parser directives as moby does: only at the very top, each once. The first line that is
 * not a known directive (blank line, comment, unknown directive, instruction) ends them.
 */
export function readDirectives(lines: string[], file: string): { directives: Directives; first: number } {
  const d: Directives = { escape: '\\' };
  const seen = new Set<string>();
  let i = 0;
  for (; i < lines.length; i++) {
    const line = chomp(lines[i]);
    const lead = line.length - line.trimStart().length;
    const m = DIRECTIVE.exec(line.slice(lead));
    if (!m || !KNOWN.has(m[1].toLowerCase())) break;
    const key = m[1].toLowerCase();
    if (seen.has(key)) throw new DockerfileError(`the parser directive "${key}" is given twice`, { file, line: i + 1, column: lead + 1 }, 'Expected each directive at most once, at the top of the file');
    seen.add(key);
    const value = m[2];
    if (key === 'escape') {
      if (value !== '\\' && value !== '`') throw new DockerfileError(`Expected # escape=\\ or # escape=\`, got ${quote(value)}`, { file, line: i + 1, column: line.lastIndexOf(value) + 1 });
      d.escape = value;
    } else if (key === 'syntax') d.syntax = value;
    else d.check = value;
  }
  return { directives: d, first: i };
}

/**
 * The text before a line-continuation escape, or undefined when the line does not continue.
 * moby's rule: the escape is last (spaces/tabs may follow) and is not itself escaped; an escape
 * alone on a line also continues.
 */
function continued(line: string, escape: string): string | undefined {
  let end = line.length;
  while (end > 0 && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--;
  if (end === 0 || line[end - 1] !== escape) return undefined;
  if (end >= 2 && line[end - 2] === escape) return undefined;
  return line.slice(0, end - 1);
}

const isComment = (line: string) => line.trimStart().startsWith('#');

interface Segment {
  /** Offset of this segment in the joined text. */
  start: number;
  line: number;
  /** 1-based column of the segment's first character. */
  column: number;
}

function logical(joined: string, segs: Segment[]): LogicalLine {
  const lead = joined.length - joined.trimStart().length;
  const at = (offset: number): Pos => {
    const o = offset + lead;
    let k = segs.length - 1;
    while (k > 0 && segs[k].start > o) k--;
    // An offset exactly at a segment boundary belongs to the later segment (where the token is).
    return { line: segs[k].line, column: segs[k].column + (o - segs[k].start) };
  };
  const text = joined.trim();
  return { text, pos: at(0), at };
}

/** Splits the file into logical lines: comments dropped (also inside continuations), continuations joined. */
export function logicalLines(lines: string[], start: number, escape: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  for (let i = start; i < lines.length; i++) {
    const raw = chomp(lines[i]);
    const body = raw.trimStart();
    if (!body || body[0] === '#') continue;
    let joined = '';
    const segs: Segment[] = [];
    let part = continued(body, escape);
    segs.push({ start: 0, line: i + 1, column: raw.length - body.length + 1 });
    joined = part ?? body;
    // Continuation lines keep their leading whitespace; comment and blank lines inside are skipped.
    while (part !== undefined && i + 1 < lines.length) {
      const next = chomp(lines[++i]);
      if (isComment(next) || !next.trim()) continue;
      part = continued(next, escape);
      segs.push({ start: joined.length, line: i + 1, column: 1 });
      joined += part ?? next;
    }
    if (joined.trim()) out.push(logical(joined, segs));
  }
  return out;
}
