import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { durationMs, parseDuration } from '../src/duration.js';

test('durationMs: Go durations and YAML numbers of seconds, the same everywhere', () => {
  const cases: [unknown, number | undefined][] = [['1m30s', 90_000], ['500ms', 500], ['1.5h', 5_400_000], [' 2s ', 2000], ['0', 0], [5, 5000], [0.25, 250],
    ['5', undefined], ['-1s', undefined], [-1, undefined], ['soon', undefined], [null, undefined], [Number.NaN, undefined], ['1d', undefined]];
  for (const [v, want] of cases) assert.is(durationMs(v), want, String(v));
});

test('parseDuration keeps Go semantics (nanoseconds, signed) for Dockerfile flags', () => {
  assert.is(parseDuration('1m30s'), 90e9);
  assert.is(parseDuration('-1s'), -1e9);
  assert.is(parseDuration('10µs'), 1e4);
});

test.run();
