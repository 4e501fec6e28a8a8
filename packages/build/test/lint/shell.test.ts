import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hasBackgroundJob, packageInstall, scriptOf, simpleCommands } from '../../src/lint/shell.js';

test('simpleCommands splits on separators, joins continuations, drops leading assignments', () => {
  assert.equal(simpleCommands('set -eux; DEBIAN_FRONTEND=noninteractive apt-get install -y a \\\n b && rm -rf /var/lib/apt/lists/*'), [['set', '-eux'], ['apt-get', 'install', '-y', 'a', 'b'], ['rm', '-rf', '/var/lib/apt/lists/*']]);
  assert.equal(simpleCommands('echo "a && b" | tee x 2>&1'), [['echo', 'a && b'], ['tee', 'x', '2>&1']]);
});

test('hasBackgroundJob: a lone & only, not && or redirections or quoted text', () => {
  assert.equal(['a & b', 'a&', 'a && b', 'a 2>&1', 'a &>/dev/null', 'echo "x & y"', 'a >&2'].map(hasBackgroundJob), [true, true, false, false, false, false, false]);
});

test('packageInstall and scriptOf', () => {
  assert.equal([['apt-get', '-y', 'install', 'x'], ['apk', 'add', 'x'], ['sudo', 'dnf', 'install', 'x'], ['apt-get', 'update'], ['npm', 'install']].map(packageInstall), ['apt', 'apk', 'dnf', undefined, undefined]);
  assert.is(scriptOf({ form: 'exec', argv: ['/bin/sh', '-c', 'a & b'] }), 'a & b');
  assert.is(scriptOf({ form: 'exec', argv: ['node', 'x.js'] }), 'node x.js');
});

test.run();
