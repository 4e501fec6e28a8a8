import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isConfigError } from '@pipeline/core';
import { loadConfig } from '../../src/config/index.js';

const dir = fileURLToPath(new URL('./fixtures/bad/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.yml')).sort();

test('the corpus holds at least 25 bad configs', () => {
  assert.ok(files.length >= 25, `only ${files.length}`);
});

// Each fixture's first line: `# expect: LINE:COL message substring` (`-` when the error has no line).
for (const name of files) {
  test(`bad/${name}`, async () => {
    const path = join(dir, name);
    const m = /^# expect: (\S+) (.+)$/m.exec(readFileSync(path, 'utf8').split('\n')[0]);
    assert.ok(m, `${name} has no '# expect:' header`);
    const [, where, text] = m!;
    let err: unknown;
    try {
      await loadConfig(path);
    } catch (e) {
      err = e;
    }
    assert.ok(isConfigError(err), `${name}: expected a ConfigError, got ${String(err)}`);
    if (!isConfigError(err)) return;
    assert.is(err.exitCode, 2);
    assert.is(err.position?.file, path);
    assert.is(where === '-' ? '-' : `${err.position?.line}:${err.position?.column}`, where, `${name}: ${err.format()}`);
    assert.ok(err.message.includes(text), `${name}: message ${JSON.stringify(err.message)} lacks ${JSON.stringify(text)}`);
  });
}

test('a missing file is a ConfigError naming the path, with a hint to run init', async () => {
  const path = join(dir, 'does-not-exist.yml');
  try {
    await loadConfig(path);
    assert.unreachable();
  } catch (e) {
    assert.ok(isConfigError(e));
    if (!isConfigError(e)) return;
    assert.is(e.message, `pipeline.yml not found: ${path}`);
    assert.is(e.exitCode, 2);
    assert.match(e.hint ?? '', /pipeline init/);
  }
});

test.run();
