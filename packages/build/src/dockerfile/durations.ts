const UNIT: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
// Go's time.ParseDuration grammar: [sign] then (digits[.digits]|.digits) unit, repeated; or a bare 0.
const PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Go's time.ParseDuration, as Docker uses it for HEALTHCHECK: `1h2m3.5s`, `500ms`, `-1s`, `0`. Nanoseconds, or undefined. */
export function parseDuration(s: string): number | undefined {
  let i = 0;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') (sign = s[0] === '-' ? -1 : 1), (i = 1);
  if (s.slice(i) === '0') return 0;
  if (i >= s.length) return undefined;
  let total = 0;
  PART.lastIndex = i;
  while (PART.lastIndex < s.length) {
    const m = PART.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT[m[2]];
  }
  return sign * Math.round(total);
}
