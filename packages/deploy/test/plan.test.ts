import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Digest } from '@pipeline/core';
import { batchSize, planRollout, previousDigest, type Instance } from '../src/index.js';

const V1 = `sha256:${'1'.repeat(64)}` as Digest;
const V2 = `sha256:${'2'.repeat(64)}` as Digest;
const V3 = `sha256:${'3'.repeat(64)}` as Digest;

let n = 0;
function inst(host: string, name: string, digest: Digest, extra: Partial<Instance> = {}): Instance {
  n++;
  return { host, id: name, name, digest, image: 'r/app', running: true, createdAt: `2026-01-01T00:00:${String(n).padStart(2, '0')}Z`, address: '127.0.0.1', port: 20000 + n, envHash: {}, ports: [], ...extra };
}
const hosts = ['h1', 'h2'];

test('v1 → v2 on two hosts, 2 replicas each, batch 1: one replacement per batch, host order', () => {
  const now = [inst('h1', 'a', V1), inst('h1', 'b', V1), inst('h2', 'c', V1), inst('h2', 'd', V1)];
  assert.equal(planRollout(now, { digest: V2, hosts, replicas: 2 }, { batch: 1, order: 'start-first' }), {
    digest: V2, order: 'start-first', keep: [],
    batches: [[{ host: 'h1', start: true, stop: 'a' }], [{ host: 'h1', start: true, stop: 'b' }], [{ host: 'h2', start: true, stop: 'c' }], [{ host: 'h2', start: true, stop: 'd' }]],
  });
});

test('percent batches span hosts; first deploy only starts', () => {
  assert.equal(planRollout([], { digest: V2, hosts, replicas: 3 }, { batch: { percent: 50 }, order: 'start-first' }).batches, [
    [{ host: 'h1', start: true }, { host: 'h1', start: true }, { host: 'h1', start: true }],
    [{ host: 'h2', start: true }, { host: 'h2', start: true }, { host: 'h2', start: true }],
  ]);
});

test('mixed state after an interrupted deploy converges: kept new ones, unhealthy first, surplus stopped', () => {
  const now = [
    inst('h1', 'old1', V1), inst('h1', 'new1', V2), inst('h1', 'old2', V1), // killed after starting new1, before stopping old1
    inst('h2', 'sick', V2, { health: 'unhealthy' }), inst('h2', 'old3', V1), inst('h2', 'gone', V1, { running: false }),
  ];
  assert.equal(planRollout(now, { digest: V2, hosts, replicas: 2 }, { batch: 2, order: 'start-first' }), {
    digest: V2, order: 'start-first', keep: ['new1'],
    batches: [
      [{ host: 'h1', start: true, stop: 'old1' }, { host: 'h1', start: false, stop: 'old2' }],
      [{ host: 'h2', start: true, stop: 'sick' }, { host: 'h2', start: true, stop: 'old3' }],
    ],
  });
});

test('already converged: nothing to do; scale down stops the surplus', () => {
  const now = [inst('h1', 'a', V2), inst('h1', 'b', V2), inst('h1', 'c', V2)];
  assert.equal(planRollout(now, { digest: V2, hosts: ['h1'], replicas: 3 }, { batch: 1, order: 'start-first' }).batches, []);
  assert.equal(planRollout(now, { digest: V2, hosts: ['h1'], replicas: 2 }, { batch: 1, order: 'stop-first' }).batches, [[{ host: 'h1', start: false, stop: 'c' }]]);
});

test('rollback plan: back to V1 over the fleet where V2 partly landed', () => {
  const now = [inst('h1', 'x', V2), inst('h1', 'y', V2), inst('h2', 'z', V1), inst('h2', 'w', V1)];
  assert.equal(planRollout(now, { digest: V1, hosts, replicas: 2 }, { batch: { percent: 100 }, order: 'start-first' }), {
    digest: V1, order: 'start-first', keep: ['z', 'w'],
    batches: [[{ host: 'h1', start: true, stop: 'x' }, { host: 'h1', start: true, stop: 'y' }]],
  });
});

test('batch size and previous digest', () => {
  assert.equal([batchSize(1, 6), batchSize({ percent: 33 }, 6), batchSize({ percent: 34 }, 3), batchSize(10, 3), batchSize({ percent: 1 }, 3)], [1, 2, 2, 3, 1]);
  assert.is(previousDigest([inst('h', 'a', V1), inst('h', 'b', V2), inst('h', 'c', V1)], V3), V1);
  assert.is(previousDigest([inst('h', 'a', V2, { previous: V1 })], V2), V1);
  assert.is(previousDigest([], V2), undefined);
});

test.run();
