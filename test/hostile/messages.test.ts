// One rule for quoting user input in messages: @pipeline/core's quote()/cut(), which cut a value to
// 80 characters and say how long it was. JSON.stringify in a user-facing error echoes a 4 MiB value
// whole; this keeps it from coming back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const TYPED = /\b(DockerfileError|ContextError|UsageError|ConfigError|RegistryError|PipelineError|DeployError|InvalidReferenceError)\(|\bfail\(/;

test('user-facing errors quote values with quote()/cut(), never JSON.stringify', () => {
  const files = execFileSync('git', ['-C', root, 'ls-files', 'packages/*/src/*.ts', 'packages/*/src/**/*.ts'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const found: string[] = [];
  for (const f of files) {
    readFileSync(join(root, f), 'utf8').split('\n').forEach((line, i) => {
      if (TYPED.test(line) && /JSON\.stringify\(/.test(line)) found.push(`${f}:${i + 1}`);
    });
  }
  assert.ok(files.length > 100, 'the sources were found');
  assert.equal(found, []);
});

test.run();
