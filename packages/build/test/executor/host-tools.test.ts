// The chroot executor's host tools: named when missing (a slim CI image), never an "exec: : not found" mid-step.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { missingHostTools } from '../../src/executor/chroot-step.js';
import { tempDir } from '../../../../test/lib/tmp.js';

test('tools missing from every directory are named; one found in any directory counts', () => {
  const a = tempDir('host-tools-a-');
  const b = join(tempDir('host-tools-b-'), 'bin');
  mkdirSync(b);
  writeFileSync(join(a, 'unshare'), '');
  writeFileSync(join(b, 'mount'), '');
  assert.equal(missingHostTools([a, b]), ['setpriv', 'find']);
  writeFileSync(join(b, 'setpriv'), '');
  writeFileSync(join(a, 'find'), '');
  assert.equal(missingHostTools([a, b]), []);
});

test('this machine (Debian, what test/services/packages checks) has them all', () => {
  assert.equal(missingHostTools(), []);
});

test.run();
