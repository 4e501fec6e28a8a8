/** Replace `text.slice(start, end)` with `insert`. */
export interface Splice {
  start: number;
  end: number;
  insert: string;
}

/** Applies non-overlapping splices; everything outside them is the original text, byte for byte. */
export function applySplices(text: string, splices: Splice[]): string {
  const sorted = [...splices].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let at = 0;
  for (const s of sorted) {
    if (s.start < at) throw new Error(`overlapping YAML edits at offset ${s.start}`);
    out += text.slice(at, s.start) + s.insert;
    at = s.end;
  }
  return out + text.slice(at);
}
