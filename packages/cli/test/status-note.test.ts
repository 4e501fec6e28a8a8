// The status command's converge line (issue 11: it printed `converged:  + 4 → …`, map(shortDigest) passed the index as the length).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Digest } from '@pipeline/core';
import type { EnvironmentStatus, HistoryEntry } from '@pipeline/deploy';
import { convergeNote, convergeTarget } from '../src/commands/status.js';

const D = (c: string) => `sha256:${c.repeat(64)}` as Digest;

test('converged: every mixed version → the one converged to, each as a 12-character short digest', () => {
  assert.is(convergeNote({ from: [D('a'), D('b')], to: D('b') }, true, false), `converged: ${'a'.repeat(12)} + ${'b'.repeat(12)} → ${'b'.repeat(12)}`);
});

test('mixed and not locked: how to converge; otherwise nothing', () => {
  assert.is(convergeNote(undefined, true, false), 'run without --report-only to converge');
  assert.is(convergeNote(undefined, true, true), '');
  assert.is(convergeNote(undefined, false, false), '');
});

const st = (versions: Digest[], mixed = true): EnvironmentStatus => ({ hosts: {}, versions: versions.map((digest) => ({ digest, running: 1 })), mixed, lock: {} });
const entry = (to: Digest, result: HistoryEntry['result']): HistoryEntry => ({ deployId: to.slice(7, 10), kind: 'deploy', actor: 'a', to: { digest: to }, startedAt: '2026-01-01T00:00:00Z', durationMs: 1, result });

test('convergeTarget: the newest version deployed ok among those running; a rollback target counts (every task replaced before the kill)', () => {
  const [a, b, c] = [D('a'), D('b'), D('c')];
  const past = [entry(c, 'interrupted'), entry(b, 'ok'), entry(a, 'ok')];
  assert.is(convergeTarget(st([c, a]), past), a);
  assert.is(convergeTarget(st([c]), past), c, 'nothing better running: the version that runs');
  assert.is(convergeTarget(st([c]), past, [b]), b);
  assert.is(convergeTarget(st([c], false), past, [b]), undefined, 'not mixed: nothing to converge');
});

test.run();
