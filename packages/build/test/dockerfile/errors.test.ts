import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isDockerfileError } from '@pipeline/core';
import { parseDockerfile } from '../../src/dockerfile/index.js';

// Each fixture ends with `# expect: LINE:COL message substring`. The header is the last line (a
// comment) so that fixtures about parser directives can still start at line 1.
const dir = fileURLToPath(new URL('./fixtures/bad/', import.meta.url));
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.Dockerfile')).sort();

function expectation(text: string, name: string) {
  const last = text.trimEnd().split('\n').pop() ?? '';
  const m = /^# expect: (\d+):(\d+) (.+)$/.exec(last);
  if (!m) throw new Error(`${name}: the last line must be "# expect: LINE:COL message", got ${JSON.stringify(last)}`);
  return { line: Number(m[1]), column: Number(m[2]), message: m[3] };
}

test(`error corpus: ${fixtures.length} malformed Dockerfiles fail with file:line:col, the message and exit code 2`, () => {
  assert.ok(fixtures.length >= 35, `only ${fixtures.length} fixtures`);
  const failures: string[] = [];
  for (const name of fixtures) {
    const text = readFileSync(dir + name, 'utf8');
    const want = expectation(text, name);
    try {
      parseDockerfile(text, name);
      failures.push(`${name}: parsed without error`);
    } catch (e) {
      if (!isDockerfileError(e)) throw e;
      const got = `${e.position?.line}:${e.position?.column}`;
      if (got !== `${want.line}:${want.column}`) failures.push(`${name}: at ${got}, expected ${want.line}:${want.column} (${e.message})`);
      if (!`${e.message}\n${e.hint ?? ''}`.includes(want.message)) failures.push(`${name}: message ${JSON.stringify(e.message)} (hint ${JSON.stringify(e.hint)}) lacks ${JSON.stringify(want.message)}`);
      if (e.exitCode !== 2 || e.position?.file !== name) failures.push(`${name}: exitCode ${e.exitCode}, file ${e.position?.file}`);
      if (!e.format().startsWith(`${name}:${got}: `)) failures.push(`${name}: format() is ${JSON.stringify(e.format())}`);
    }
  }
  assert.equal(failures, []);
});

test('every error message is one line with no stack trace in format()', () => {
  for (const name of fixtures) {
    try {
      parseDockerfile(readFileSync(dir + name, 'utf8'), name);
    } catch (e) {
      if (!isDockerfileError(e)) throw e;
      assert.not.match(e.message, /\n/, name);
      assert.not.match(e.format(), /\n\s+at /, name);
    }
  }
});

test.run();
