// The filesystem index of an image from its layers' tar headers: whiteouts and opaque directories
// hide what lower layers had (OCI image spec, "Representing Changes"), the layer's own entries stay.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FsIndex, FsView, resolveInRoot, type IndexRecord } from '../../src/fs/index.js';

const dir = (p: string, mode = 0o755, uid = 0, gid = 0): IndexRecord => [p, 'dir', mode, uid, gid];
const file = (p: string): IndexRecord => [p, 'file', 0o644, 0, 0];

const paths = (fs: FsIndex, all: string[]) => all.filter((p) => fs.get(p));

test('whiteouts remove a path and what is below it; an opaque dir hides only lower layers', () => {
  const fs = new FsIndex();
  fs.applyLayer([dir('etc'), file('etc/a'), file('etc/b'), dir('opt'), dir('opt/x'), file('opt/x/y'), dir('var'), file('var/old')]);
  fs.applyLayer([['etc/.wh.a', 'file', 0o644, 0, 0], ['opt/.wh.x', 'file', 0o644, 0, 0], ['var/.wh..wh..opq', 'file', 0o644, 0, 0], file('var/new')]);
  assert.equal(paths(fs, ['etc', 'etc/a', 'etc/b', 'opt', 'opt/x', 'opt/x/y', 'var', 'var/old', 'var/new']), ['etc', 'etc/b', 'opt', 'var', 'var/new']);
});

test('a later layer replacing a directory with a link drops what was below it; lookups follow the link', () => {
  const fs = new FsIndex();
  fs.applyLayer([dir('lib'), file('lib/libc.so'), dir('usr'), dir('usr/lib')]);
  fs.applyLayer([['lib', 'symlink', 0o777, 0, 0, 'usr/lib']]);
  assert.is(fs.get('lib/libc.so'), undefined);
  assert.is(resolveInRoot('/lib/x/y', fs.lookup), 'usr/lib/x/y');
  assert.equal(fs.lookup('usr'), { type: 'dir' });
});

test('parents a layer implies without entries are directories; mkdirAll makes what is missing, setgid passes on', () => {
  const fs = new FsIndex();
  fs.applyLayer([file('a/b/c'), dir('srv', 0o2775, 1001, 1002)]);
  const view = new FsView(fs);
  assert.equal(view.get('a/b'), { type: 'dir', mode: 0o755, uid: 0, gid: 0 });
  assert.equal(view.mkdirAll('/srv/new/deep', 0o755), ['srv/new', 'srv/new/deep']);
  assert.equal(view.get('srv/new'), { type: 'dir', mode: 0o2755, uid: 0, gid: 1002 });
  assert.throws(() => view.mkdirAll('/a/b/c/d', 0o755), /\/a\/b\/c is not a directory/);
  assert.equal(fs.get('srv/new'), undefined, 'the view changes a copy');
});

test.run();
