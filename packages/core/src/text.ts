// How a user's value appears inside a message. Input can be hostile (a 4 MiB "instruction", a
// 20 MiB YAML scalar): a message shows the start of it and says how long it was, never all of it.

/** Longest value a message quotes, in characters. */
export const QUOTE_MAX = 80;

/** The value itself when short, else its first `max` characters, `…` and its length. */
export function cut(value: string, max = QUOTE_MAX): string {
  if (value.length <= max) return value;
  let end = max;
  // Never split a surrogate pair (an emoji cut in half prints as U+FFFD).
  const code = value.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${value.slice(0, end)}… (${value.length} characters)`;
}

/** A string as a JSON string literal, cut (control characters and quotes stay visible); anything else as JSON, cut. */
export function quote(value: unknown, max = QUOTE_MAX): string {
  if (typeof value === 'string') return JSON.stringify(cut(value, max));
  return cut(JSON.stringify(value) ?? String(value), max);
}
