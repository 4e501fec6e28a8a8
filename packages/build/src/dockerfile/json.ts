/** The exec (JSON) form: `["executable", "arg"]`, parsed with the offset of every string. */
export interface ExecArray {
  argv: string[];
  offsets: number[];
}

/** Where and why a would-be JSON array is malformed, "Expected X, got Y" style. */
export interface JsonProblem {
  offset: number;
  message: string;
}

const STRING = /"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/y;
const WS = /[ \t\r\n]*/y;

function got(text: string, i: number): string {
  if (i >= text.length) return 'the end of the line';
  return JSON.stringify(text.slice(i).match(/^(\S{1,12})/)?.[1] ?? text[i]);
}

/** Strictly parses a JSON array of strings starting at text[0] === '['. */
function strict(text: string): ExecArray | JsonProblem {
  const argv: string[] = [];
  const offsets: number[] = [];
  const skip = (i: number) => ((WS.lastIndex = i), WS.exec(text), WS.lastIndex);
  let i = skip(1);
  if (text[i] === ']') return skip(i + 1) === text.length ? { argv, offsets } : { offset: skip(i + 1), message: `Expected the end of the line after ], got ${got(text, skip(i + 1))}` };
  for (;;) {
    STRING.lastIndex = i;
    const m = STRING.exec(text);
    if (!m) {
      const quote = text[i] === "'" ? ' (JSON needs double quotes)' : '';
      return { offset: i, message: `Expected a double-quoted string, got ${got(text, i)}${quote}` };
    }
    argv.push(JSON.parse(m[0]) as string);
    offsets.push(i);
    i = skip(STRING.lastIndex);
    if (text[i] === ',') {
      i = skip(i + 1);
      continue;
    }
    if (text[i] === ']') {
      const end = skip(i + 1);
      return end === text.length ? { argv, offsets } : { offset: end, message: `Expected the end of the line after ], got ${got(text, end)}` };
    }
    return { offset: i, message: `Expected , or ] after a string, got ${got(text, i)}` };
  }
}

/**
 * The writer meant JSON, not a shell `[ test ]`: a quote right after `[` (the shell needs a blank
 * there), `[]`, or a quoted first element followed by `,` `]` or the end.
 */
const MEANT_JSON = /^\[(?:["']|\s*\]|\s*(?:"(?:[^"\\]|\\.)*"|'[^']*')\s*(?:[,\]]|$))/;

/**
 * moby: text starting with `[` that parses as a JSON array of strings is the exec form; a JSON
 * array holding a non-string is an error; anything else is shell form. We are stricter in one
 * way: text that was clearly meant as JSON but is malformed (single quotes, a missing comma or
 * bracket) is an error here, where moby would silently run it through /bin/sh -c.
 */
export function parseExec(text: string): ExecArray | JsonProblem | undefined {
  const lead = text.length - text.trimStart().length;
  const t = text.slice(lead).trimEnd();
  if (!t.startsWith('[')) return undefined;
  const r = strict(t);
  if ('argv' in r) return { argv: r.argv, offsets: r.offsets.map((o) => o + lead) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch {
    return MEANT_JSON.test(t) ? { offset: r.offset + lead, message: r.message } : undefined;
  }
  return Array.isArray(parsed) ? { offset: r.offset + lead, message: r.message.replace('a double-quoted string', 'only strings in the array') } : undefined;
}

export const isProblem = (r: ExecArray | JsonProblem): r is JsonProblem => 'message' in r;
