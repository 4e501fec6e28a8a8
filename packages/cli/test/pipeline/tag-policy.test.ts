import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { imageTags, missingUniqueVars, uniqueTag } from '../../src/pipeline/tag-policy.js';

const image = (tags: string[], _version?: string): string[] => tags;
const git = { sha: 'a'.repeat(40), short: 'aaaaaaa', branch: 'feature/x' };
const policy = { versionTags: 'move' as const, unique: '{version}-{inputs}' };

test('an OS/middleware image: version tags and aliases move by default; SHA tags never', () => {
  const t = imageTags(image(['{version}', '{major}', '{minor}', 'sha-{short}', 'stable'], '20.11.1'), { version: '20.11.1', ...git }, false);
  assert.equal(t, [
    { tag: '20.11.1', kind: 'version', immutable: false },
    { tag: '20', kind: 'alias', immutable: false },
    { tag: '20.11', kind: 'alias', immutable: false },
    { tag: 'sha-aaaaaaa', kind: 'sha', immutable: true },
    { tag: 'stable', kind: 'alias', immutable: false },
  ]);
});

test('strict version tags: the full version is immutable, its aliases still move', () => {
  const t = imageTags(image(['{version}', '{major}'], '20.11.1'), { version: '20.11.1' }, true);
  assert.equal(t.map((x) => [x.tag, x.immutable]), [['20.11.1', true], ['20', false]]);
});

test('an app: the SHA tags are immutable, the branch tag moves; {semver} gives one version and its aliases', () => {
  const t = imageTags(image(['{sha}', 'sha-{short}', '{branch}', '{semver}']), { ...git, semver: ['1.2.3', '1.2', '1'] }, false);
  assert.equal(t.map((x) => `${x.tag}:${x.kind}:${x.immutable}`), [`${'a'.repeat(40)}:sha:true`, 'sha-aaaaaaa:sha:true', 'feature-x:alias:false', '1.2.3:version:false', '1.2:alias:false', '1:alias:false']);
});

test('the same tag from two templates keeps its strongest kind', () => {
  const t = imageTags(image(['{major}', '{version}'], '20'), { version: '20' }, true);
  assert.equal(t, [{ tag: '20', kind: 'version', immutable: true }]);
});

test('unique tags: from the inputs by default, or from what tag-policy.unique names; none for an app', () => {
  const inputs = 'f'.repeat(12) + '0'.repeat(52);
  assert.equal(uniqueTag(policy, '20.11.1', { inputs }), { tag: '20.11.1-ffffffffffff', kind: 'unique', immutable: true });
  const custom = { versionTags: 'move' as const, unique: '{major}-{base}-{date}-{revision}-b{build}' };
  assert.is(uniqueTag(custom, '20.11.1+x', { inputs, base: '1.0.1', time: 1_700_000_000, revision: 'abcdef0123', build: '42' })!.tag, '20-1.0.1-20231114-abcdef0-b42');
  assert.is(uniqueTag(policy, '1.0.0+build.5', { inputs })!.tag, '1.0.0-build.5-ffffffffffff', 'sanitized into a valid tag');
  assert.is(uniqueTag(policy, undefined, { inputs }), undefined);
  assert.equal(missingUniqueVars(custom, { inputs, base: '1' }), ['revision', 'build']);
  assert.equal(missingUniqueVars(policy, { inputs }), []);
});

test.run();
