import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { affected, chainOf, childrenOf, depths, findCycle, imagesForPaths, parentsOf, topoOrder } from '../../src/config/index.js';

// Declared app-first on purpose: order must come from the edges, ties from declaration order.
const parents = { app: 'node', worker: 'node', node: 'os', os: undefined, tools: 'os', other: undefined };

test('parentsOf keeps only in-pipeline edges', () => {
  assert.equal(parentsOf({ os: { from: { kind: 'external', ref: 'debian:12' } }, node: { from: { kind: 'image', name: 'os' } }, app: {} }), { os: undefined, node: 'os', app: undefined });
});

test('topoOrder puts every base first and keeps declaration order otherwise', () => {
  assert.equal(topoOrder(parents), ['os', 'node', 'app', 'worker', 'tools', 'other']);
  assert.equal(topoOrder({}), []);
});

test('affected: a changed base rebuilds everything downstream, in build order', () => {
  assert.equal(affected(parents, ['os']), ['os', 'node', 'app', 'worker', 'tools']);
  assert.equal(affected(parents, ['node']), ['node', 'app', 'worker']);
  assert.equal(affected(parents, ['app']), ['app']);
  assert.equal(affected(parents, ['app', 'tools']), ['app', 'tools']);
  assert.equal(affected(parents, ['other', 'nope']), ['other']);
  assert.equal(affected(parents, []), []);
});

test('depths and chains', () => {
  assert.equal(depths(parents), { os: 1, node: 2, app: 3, worker: 3, tools: 2, other: 1 });
  assert.equal(chainOf(parents, 'app'), ['os', 'node', 'app']);
  assert.equal(chainOf(parents, 'other'), ['other']);
});

test('childrenOf', () => {
  assert.equal(childrenOf(parents), { app: [], worker: [], node: ['app', 'worker'], os: ['node', 'tools'], tools: [], other: [] });
});

test('findCycle returns a closed walk, and topoOrder refuses a cycle', () => {
  assert.is(findCycle(parents), undefined);
  assert.equal(findCycle({ a: 'b', b: 'c', c: 'b', d: undefined }), ['b', 'c', 'b']);
  assert.equal(findCycle({ self: 'self' }), ['self', 'self']);
  assert.throws(() => topoOrder({ a: 'b', b: 'a' }), /cycle: a → b → a/);
});

test('imagesForPaths maps changed files to images by context or Dockerfile', () => {
  const images = {
    os: { context: '/r/images/os', dockerfile: '/r/images/os/Dockerfile' },
    node: { context: '/r/images/node', dockerfile: '/r/images/node/Dockerfile' },
    app: { context: '/r/app', dockerfile: '/r/Dockerfile.app' },
  };
  assert.equal(imagesForPaths(images, ['/r/images/os/sources.list']), ['os']);
  assert.equal(imagesForPaths(images, ['/r/Dockerfile.app', '/r/images/node-extra/x']), ['app']);
  assert.equal(imagesForPaths(images, ['/r/images/nodes.txt', '/r/README.md']), []);
});

test.run();
