// The status command's converge line (issue 11: it printed `converged:  + 4 → …`, map(shortDigest) passed the index as the length).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Digest } from '@pipeline/core';
import { convergeNote } from '../src/commands/status.js';

const D = (c: string) => `sha256:${c.repeat(64)}` as Digest;

test('converged: every mixed version → the one converged to, each as a 12-character short digest', () => {
  assert.is(convergeNote({ from: [D('a'), D('b')], to: D('b') }, true, false), `converged: ${'a'.repeat(12)} + ${'b'.repeat(12)} → ${'b'.repeat(12)}`);
});

test('mixed and not locked: how to converge; otherwise nothing', () => {
  assert.is(convergeNote(undefined, true, false), 'run without --report-only to converge');
  assert.is(convergeNote(undefined, true, true), '');
  assert.is(convergeNote(undefined, false, false), '');
});

test.run();
