// resolveInRoot against the kernel: the same tree on disk, resolved by `readlink -f` run chrooted at it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diskLookup, resolveInRoot } from '../../src/fs/index.js';

const root = process.getuid?.() === 0;
if (!root && process.env.CI) throw new Error('this test needs root (chroot) in CI');
if (!root) console.log('skip: in-root kernel comparison needs root (chroot)');
else {
  const dir = mkdtempSync(join(tmpdir(), 'in-root-'));
  test.after(() => rmSync(dir, { recursive: true, force: true }));
  const dirs = ['bin', 'usr/lib', 'etc', 'app/releases/v2/bin', 'some/host/dir', 'a/b/c'];
  for (const d of dirs) mkdirSync(join(dir, d), { recursive: true });
  copyFileSync('/bin/busybox', join(dir, 'bin/busybox'));
  for (const f of ['etc/passwd', 'usr/lib/x.so', 'some/host/dir/file', 'app/releases/v2/bin/run', 'a/b/c/deep']) writeFileSync(join(dir, f), 'x');
  const links: [string, string][] = [
    ['lib', 'usr/lib'], ['esc', '/some/host/dir'], ['up', '../../../../etc'], ['hostroot', '/'],
    ['app/current', 'releases/v2'], ['app/releases/latest', '/app/current'], ['a/b/c/back', '../../..'],
    ['a/jump', 'b/c/back/esc'], ['a/b/abs', '/a/b/c/../../../lib'], ['chain', 'a/jump/file'],
  ];
  for (const [p, t] of links) symlinkSync(t, join(dir, p));
  const paths = [
    '/lib/x.so', '/esc/file', '/up/passwd', '/hostroot/etc/passwd', '/../../etc/passwd', '/app/current/bin/run',
    '/app/releases/latest/bin/run', '/a/b/c/back/etc/passwd', '/a/jump/file', '/a/b/abs/x.so', '/chain',
    '/hostroot/hostroot/up/../usr/lib', '/a/b/c/back/a/b/c/deep', '/app/current/../../../lib/x.so',
  ];
  const lookup = diskLookup(dir);
  for (const p of paths) {
    test(`as the kernel resolves ${p}`, () => {
      const kernel = execFileSync('chroot', [dir, '/bin/busybox', 'readlink', '-f', p], { encoding: 'utf8', timeout: 10_000 }).trim();
      assert.is(`/${resolveInRoot(p, lookup)}`, kernel);
    });
  }
}
test.run();
