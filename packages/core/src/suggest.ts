// "Did you mean" for typos like `COPPY`, `--chmown` or `dockerfil`: the one rule for every message.

/** Words longer than this get no suggestion: a typo is short, and the table costs length × length. */
export const SUGGEST_MAX = 40;

/** Levenshtein distance with one row of memory; gives up (returns limit + 1) once it passes `limit`. */
export function distance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    let best = row[0];
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
      best = Math.min(best, row[j]);
    }
    if (best > limit) return limit + 1;
  }
  return row[b.length];
}

/**
 * The closest candidate, compared case-insensitively, within a third of the word's length (at
 * least 2 edits); undefined when none is that close or the word is too long to be a typo.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  if (!word || word.length > SUGGEST_MAX) return undefined;
  const limit = Math.max(2, Math.floor(word.length / 3));
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = limit + 1;
  for (const c of candidates) {
    const d = distance(w, c.toLowerCase(), bestD - 1);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}
