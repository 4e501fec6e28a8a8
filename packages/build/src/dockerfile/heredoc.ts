import type { Ctx } from './context.js';
import { fail } from './context.js';

// moby treats an unquoted word `[n]<<[-]WORD` (blanks allowed after <<) as a heredoc in RUN, COPY, ADD.
const MARKER = /^\d*<<-?[ \t]*(["']?)[^\s<"']+\1/;

/** The offset of the first heredoc marker outside quotes, and the marker. */
function findHeredoc(text: string, escape: string): { at: number; marker: string } | undefined {
  if (!text.includes('<<')) return undefined;
  let quote = '';
  let wordStart = true; // after unescaped whitespace
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const start = wordStart;
    wordStart = false;
    if (quote) {
      if (ch === escape && quote === '"') i++;
      else if (ch === quote) quote = '';
    } else if (ch === escape) i++;
    else if (ch === '"' || ch === "'") quote = ch;
    else if (/\s/.test(ch)) wordStart = true;
    else if (start && (ch === '<' || /\d/.test(ch))) {
      const m = MARKER.exec(text.slice(i));
      if (m) return { at: i, marker: m[0] };
    }
  }
  return undefined;
}

/** Heredocs are not supported yet: fail at the `<<` with a rewrite the user can apply now. */
export function rejectHeredoc(c: Ctx, text: string, base: number): void {
  const h = findHeredoc(text, c.escape);
  if (!h) return;
  throw fail(
    c,
    base + h.at,
    `heredocs (${h.marker}) are not supported yet`,
    c.keyword === 'RUN'
      ? 'Expected RUN with the commands joined by && (one command per line with \\ continuations), or a script file COPY-ed from the context and RUN'
      : `Expected ${c.keyword} of a file: put the text in a file in the build context and ${c.keyword} that file`,
  );
}
