// Which stopped containers prune removes (issue 12): every stopped one – exited, or never started after a
// killed deploy – except, per host, the newest of the rollback target, as many as run there.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Digest } from '@pipeline/core';
import type { Instance } from '../src/index.js';
import { stoppedToRemove } from '../src/target/docker/prune.js';

const V1 = `sha256:${'1'.repeat(64)}` as Digest;
const V2 = `sha256:${'2'.repeat(64)}` as Digest;
const V0 = `sha256:${'0'.repeat(64)}` as Digest;

let n = 0;
function inst(host: string, name: string, digest: Digest, state: string, extra: Partial<Instance> = {}): Instance {
  n++;
  return { host, id: name, name, digest, image: 'r/app', running: state === 'running', state, createdAt: `2026-01-01T00:00:${String(n).padStart(2, '0')}Z`, address: '127.0.0.1', port: 20000 + n, envHash: {}, ports: [], ...extra };
}
const names = (xs: Instance[]) => xs.map((i) => i.name).sort();

test('killed deploys left exited and never-started containers of kept versions: all go but the rollback target\'s newest, one per running replica', () => {
  const all = [
    inst('h1', 'v1-old-a', V1, 'exited'), inst('h1', 'v1-old-b', V1, 'exited'),
    inst('h1', 'v0-a', V0, 'exited'),
    inst('h1', 'v2-created-a', V2, 'created'), inst('h1', 'v2-exited-a', V2, 'exited'),
    inst('h1', 'v1-a', V1, 'exited'), inst('h1', 'v1-b', V1, 'exited'),
    inst('h1', 'v1-created', V1, 'created'),
    inst('h1', 'v2-run-a', V2, 'running', { previous: V1 }), inst('h1', 'v2-run-b', V2, 'running', { previous: V1 }),
    inst('h2', 'h2-v1-a', V1, 'exited'), inst('h2', 'h2-v2-run', V2, 'running', { previous: V1 }), inst('h2', 'h2-v2-dead', V2, 'dead'),
  ];
  assert.equal(names(stoppedToRemove(all, new Set([V1]))), ['h2-v2-dead', 'v0-a', 'v1-created', 'v1-old-a', 'v1-old-b', 'v2-created-a', 'v2-exited-a']);
});

test('a restarting or paused container is part of the fleet, never pruned; without a rollback target every stopped one goes', () => {
  const all = [inst('h1', 'r', V2, 'restarting'), inst('h1', 'p', V2, 'paused'), inst('h1', 'e', V1, 'exited'), inst('h1', 'c', V1, 'created')];
  assert.equal(names(stoppedToRemove(all, new Set())), ['c', 'e']);
});

test('never-started containers of the rollback target are kept only when no started one is left', () => {
  const all = [inst('h1', 'c1', V1, 'created'), inst('h1', 'e1', V1, 'exited'), inst('h1', 'run-a', V2, 'running', { previous: V1 }), inst('h1', 'run-b', V2, 'running', { previous: V1 })];
  assert.equal(names(stoppedToRemove(all, new Set([V1]))), []);
  const one = [inst('h1', 'c1', V1, 'created'), inst('h1', 'e1', V1, 'exited'), inst('h1', 'run-a', V2, 'running', { previous: V1 })];
  assert.equal(names(stoppedToRemove(one, new Set([V1]))), ['c1']);
});

test.run();
