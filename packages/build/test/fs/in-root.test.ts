import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveInRoot, resolveParentInRoot, RootEscapeError, RootLinkLoopError, type RootNode } from '../../src/fs/index.js';

// A root as a table: dirs, files and links, like a base image's index.
const tree: Record<string, RootNode> = {
  lib: { type: 'symlink', target: 'usr/lib' },
  usr: { type: 'dir' },
  'usr/lib': { type: 'dir' },
  etc: { type: 'dir' },
  'etc/passwd': { type: 'file' },
  esc: { type: 'symlink', target: '/some/host/dir' },
  up: { type: 'symlink', target: '../../../../etc' },
  hostroot: { type: 'symlink', target: '/' },
  app: { type: 'dir' },
  'app/current': { type: 'symlink', target: '../releases/v2' },
  loop1: { type: 'symlink', target: 'loop2' },
  loop2: { type: 'symlink', target: 'loop1' },
};
const lookup = (p: string) => tree[p];

test('a symlinked directory is followed (COPY x /lib/x lands in usr/lib)', () => {
  assert.is(resolveInRoot('/lib/x.so', lookup), 'usr/lib/x.so');
  assert.is(resolveInRoot('lib', lookup, { followLast: false }), 'lib');
  assert.is(resolveInRoot('lib', lookup), 'usr/lib');
});

test('absolute targets restart at the root, never the host', () => {
  assert.is(resolveInRoot('/esc/file', lookup), 'some/host/dir/file');
  assert.is(resolveInRoot('hostroot/etc/shadow', lookup), 'etc/shadow');
});

test('.. never climbs above the root, in paths or in link targets', () => {
  assert.is(resolveInRoot('../../etc/passwd', lookup), 'etc/passwd');
  assert.is(resolveInRoot('/up/passwd', lookup), 'etc/passwd');
  assert.is(resolveInRoot('app/current/bin', lookup), 'releases/v2/bin');
  assert.is(resolveInRoot('/', lookup), '');
  assert.is(resolveInRoot('..', lookup), '');
});

test('missing components are kept as written', () => {
  assert.is(resolveInRoot('/new/dir/f', lookup), 'new/dir/f');
  assert.is(resolveInRoot('/./usr//lib/./a', lookup), 'usr/lib/a');
});

test('where an entry is created: parent resolved, final link kept', () => {
  assert.equal(resolveParentInRoot('lib/libc.so', lookup), { parent: 'usr/lib', name: 'libc.so' });
  assert.equal(resolveParentInRoot('/esc', lookup), { parent: '', name: 'esc' });
  assert.throws(() => resolveParentInRoot('/', lookup), /below the root/);
});

test('link loops end with an error, not a hang', () => {
  assert.throws(() => resolveInRoot('loop1/x', lookup), (e: unknown) => e instanceof RootLinkLoopError);
});

test('refuseEscape (a build context): `..` above the root and absolute targets throw, naming the link', () => {
  const refuse = { refuseEscape: true };
  assert.is(resolveInRoot('lib/x.so', lookup, refuse), 'usr/lib/x.so');
  assert.is(resolveInRoot('app/current/bin', lookup, refuse), 'releases/v2/bin');
  const escape = (p: string) => {
    try {
      resolveInRoot(p, lookup, refuse);
    } catch (e) {
      assert.ok(e instanceof RootEscapeError);
      return (e as RootEscapeError).link;
    }
    throw new Error(`${p} did not throw`);
  };
  assert.is(escape('../etc/passwd'), undefined);
  assert.equal(escape('esc/file'), { path: 'esc', target: '/some/host/dir' });
  assert.equal(escape('up/passwd'), { path: 'up', target: '../../../../etc' });
  assert.equal(escape('hostroot'), { path: 'hostroot', target: '/' });
  assert.is(resolveInRoot('hostroot', lookup, { ...refuse, followLast: false }), 'hostroot');
});

test.run();
