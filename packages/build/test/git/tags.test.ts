import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computeTags, resolveSemverTag, sanitizeTag, semverTags, isSemverRange, type GitInfo } from '../../src/git/index.js';

const git = (over: Partial<GitInfo> = {}): GitInfo => ({
  sha: 'a'.repeat(40).replace(/^a{7}/, '1234567'),
  short: '1234567',
  branch: 'main',
  tags: [],
  commitTime: 1700000000,
  dirty: false,
  dirtyFiles: [],
  author: 'Dev <dev@example.test>',
  defaultBranch: 'main',
  ...over,
});

test('default tags: full sha, sha-short, branch', () => {
  const g = git();
  assert.equal(computeTags(g, {}), [g.sha, 'sha-1234567', 'main']);
});

test('semver tags from a v-tag; none of X / X.Y for prereleases', () => {
  assert.equal(semverTags(['v1.2.3']), ['1.2.3', '1.2', '1']);
  assert.equal(semverTags(['v2.0.0-rc.1']), ['2.0.0-rc.1']);
  assert.equal(semverTags(['release-x']), []);
  const tags = computeTags(git({ tags: ['v1.2.3'] }), {});
  assert.ok(tags.includes('1.2') && tags.includes('1') && tags.includes('1.2.3'));
});

test('branch names are sanitized into valid tags', () => {
  assert.is(sanitizeTag('feature/Add thing!'), 'feature-Add-thing-');
  assert.is(sanitizeTag('-x'), 'x');
  assert.is(sanitizeTag('a'.repeat(200)).length, 128);
});

test('dirty tree: -dirty suffix by default, refused when asked (the CLI asks in CI), no semver/latest', () => {
  const d = git({ dirty: true, dirtyFiles: ['x.js'], tags: ['v1.0.0'] });
  assert.equal(computeTags(d, { latest: true }), [`${d.sha}-dirty`, 'sha-1234567-dirty', 'main-dirty']);
  assert.throws(() => computeTags(d, { dirty: 'refuse' }), /uncommitted changes \(x\.js\)/);
});

test('latest only on the default branch and only when asked', () => {
  assert.ok(computeTags(git(), { latest: true }).includes('latest'));
  assert.not.ok(computeTags(git(), {}).includes('latest'));
  assert.not.ok(computeTags(git({ branch: 'dev' }), { latest: true }).includes('latest'));
});

test('templates, and an unknown variable is a clear error', () => {
  assert.equal(computeTags(git(), { templates: ['{branch}-{short}'] }), ['main-1234567']);
  assert.throws(() => computeTags(git(), { templates: ['{nope}'] }), /\{nope\}/);
});

test('semver ranges resolve to the highest matching full version', () => {
  const tags = ['2.0.0', '2.1.0', '2.1.5', '2.2.0-rc.1', '3.0.0', '2.1', 'latest', 'v2.3.1'];
  assert.is(resolveSemverTag(tags, '^2.1'), 'v2.3.1');
  assert.is(resolveSemverTag(tags, '~2.1'), '2.1.5');
  assert.is(resolveSemverTag(tags, '^4'), undefined);
  assert.ok(isSemverRange('^2.1'));
  assert.not.ok(isSemverRange('2.1.0'));
  assert.not.ok(isSemverRange('latest'));
});

test.run();
