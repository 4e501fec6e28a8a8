import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPipelineError } from '@pipeline/core';
import { makeIgnore, parseDockerignore, loadIgnore, cleanPath, goMatch, PatternMatcher } from '../../src/context/index.js';

const ig = (text: string) => makeIgnore(parseDockerignore(text));
const check = (text: string, yes: string[], no: string[]) => {
  const i = ig(text);
  for (const p of yes) assert.ok(i.ignores(p), `${JSON.stringify(text)} should ignore ${p}`);
  for (const p of no) assert.not.ok(i.ignores(p), `${JSON.stringify(text)} should keep ${p}`);
};

test('cleanPath is Go path.Clean', () => {
  assert.is(cleanPath('./a//b/../c/'), 'a/c');
  assert.is(cleanPath('/../x'), '/x');
  assert.is(cleanPath('../x'), '../x');
  assert.is(cleanPath(''), '.');
});

test('parse: comments before trim, BOM, leading / and ./, trailing spaces', () => {
  const p = parseDockerignore('\uFEFF# c\n  # not a comment\n/abs\n./dot\nsp  \n!  /neg/\n\n').map((x) => x.pattern);
  assert.equal(p, ['# not a comment', 'abs', 'dot', 'sp', '!neg']);
});

test('basic globs: * and ? stop at /, ** crosses it', () => {
  check('*.log', ['a.log'], ['x/a.log', 'a.txt']);
  check('?.txt', ['a.txt'], ['ab.txt', '/.txt']);
  check('**/*.log', ['a.log', 'x/y/a.log'], ['a.txt']);
  check('a/**/b', ['a/b', 'a/x/y/b', 'a/x/b/c'], ['b', 'x/a/b']);
  check('foo/**', ['foo/x', 'foo/x/y'], ['foo']);
});

test('a directory pattern excludes its children', () => {
  check('node_modules', ['node_modules', 'node_modules/x/y.js'], ['a/node_modules']);
  check('foo/', ['foo/x'], ['foox']);
});

test('exceptions are evaluated in order; the last match wins', () => {
  check('*.md\n!README*.md\nREADME-secret.md', ['a.md', 'README-secret.md'], ['README.md']);
  check('a\n!a/keep', ['a', 'a/x'], ['a/keep', 'a/keep/deep']);
  check('!a/keep\na', ['a/keep'], []);
});

test('character classes and escapes follow Go', () => {
  check('[a-c].txt', ['a.txt', 'c.txt'], ['d.txt']);
  check('[^a].txt', ['b.txt'], ['a.txt']);
  check('a\\*b', ['a*b'], ['axb']);
});

test('regexp metacharacters are literal (where @balena/dockerignore differs)', () => {
  check('a+b', ['a+b'], ['aab']);
  check('f(1).txt', ['f(1).txt'], ['f1.txt']);
  check('a|b', ['a|b'], ['a', 'b']);
  check('c++', ['c++'], ['cc']);
});

test('patternmatcher quirk kept: a leading ** is a suffix match', () => {
  check('**foo', ['xfoo', 'a/xfoo', 'foo'], ['foox']);
});

test('canSkipDir: prefix exceptions keep only their ancestors open; wildcard exceptions open all', () => {
  const pm = new PatternMatcher(['a', 'b', '!a/keep']);
  assert.not.ok(pm.canSkipDir('a'));
  assert.ok(pm.canSkipDir('b'));
  assert.not.ok(new PatternMatcher(['b', '!**/keep']).canSkipDir('b'));
  assert.ok(new PatternMatcher(['b', '!x/**']).canSkipDir('b'));
});

test('a bad pattern is a ContextError naming the file and line', () => {
  try {
    makeIgnore(parseDockerignore('ok\n[z-a]\n'), '/ctx/.dockerignore');
    assert.unreachable();
  } catch (e) {
    assert.ok(isPipelineError(e));
    assert.is(e.exitCode, 2);
    assert.equal(e.position, { file: '/ctx/.dockerignore', line: 2, column: 1 });
    assert.match(e.message, /Expected a valid ignore pattern/);
  }
  assert.throws(() => makeIgnore(['!']));
});

test('goMatch: Go filepath.Match semantics', () => {
  assert.ok(goMatch('*.txt', 'a.txt'));
  assert.not.ok(goMatch('*', 'a/b'));
  assert.ok(goMatch('[!a]', '!'));
  assert.not.ok(goMatch('[^a]', 'a'));
  assert.ok(goMatch('\\[x\\]', '[x]'));
  assert.throws(() => goMatch('[', 'a'));
  assert.throws(() => goMatch('a\\', 'a'));
});

test('loadIgnore: <Dockerfile>.dockerignore wins over the context one', async () => {
  const d = await mkdtemp(join(tmpdir(), 'ign-'));
  await mkdir(join(d, 'docker'));
  await writeFile(join(d, '.dockerignore'), 'a\n');
  assert.ok((await loadIgnore(d, join(d, 'docker', 'app.Dockerfile'))).ignores('a'));
  await writeFile(join(d, 'docker', 'app.Dockerfile.dockerignore'), 'b\n');
  const i = await loadIgnore(d, join(d, 'docker', 'app.Dockerfile'));
  assert.ok(i.ignores('b'));
  assert.not.ok(i.ignores('a'));
  assert.is(i.file, join(d, 'docker', 'app.Dockerfile.dockerignore'));
  assert.not.ok((await loadIgnore(join(d, 'docker'))).ignores('a'));
});

test("pipeline's own .pipeline/ state is left out of a context, unless .dockerignore brings it back", async () => {
  const d = await mkdtemp(join(tmpdir(), 'ign-own-'));
  const none = await loadIgnore(d);
  assert.ok(none.ignores('.pipeline'));
  assert.ok(none.ignores('.pipeline/record.json'));
  assert.not.ok(none.ignores('app/.pipeline'), 'only the root one');
  assert.not.ok(none.ignores('app'));
  await writeFile(join(d, '.dockerignore'), 'tmp\n');
  assert.ok((await loadIgnore(d)).ignores('.pipeline/record.json'));
  await writeFile(join(d, '.dockerignore'), '!.pipeline\n');
  assert.not.ok((await loadIgnore(d)).ignores('.pipeline/record.json'));
});

test.run();
