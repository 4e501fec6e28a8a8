// THE duration rule of the project: Go's time.ParseDuration (what Docker uses for HEALTHCHECK and
// every --timeout), so `1m30s` means the same in a Dockerfile, in pipeline.yml and on the command line.

const UNIT: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
// [sign] then (digits[.digits]|.digits) unit, repeated; or a bare 0.
const PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Go's time.ParseDuration: `1h2m3.5s`, `500ms`, `-1s`, `0` → nanoseconds; undefined when malformed. */
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

/** What every duration error says it expected. */
export const DURATION_EXPECTED = 'a duration like 500ms, 30s or 1m30s';

/**
 * A duration setting (pipeline.yml, flags, env) in milliseconds: a Go duration string, or a plain
 * number of seconds (YAML `interval: 5`). Negative or malformed → undefined.
 */
export function durationMs(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v * 1000) : undefined;
  if (typeof v !== 'string') return undefined;
  const ns = parseDuration(v.trim());
  return ns === undefined || ns < 0 ? undefined : Math.round(ns / 1e6);
}
