// The chroot executor's change detection on a real directory: what Docker's builder reports for the
// same operations (moby pkg/archive/changes.go): content and metadata changes, deleted trees once,
// type changes without whiteouts, parents of every change, nothing for a file that only got a new link.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffSnapshots, snapshot } from '../../src/executor/snapshot.js';

const root = mkdtempSync(join(tmpdir(), 'run-exec-snap-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
const at = (p: string) => join(root, p);
const old = new Date(1_600_000_000_000);

test('changes as docker diff lists them', async () => {
  for (const d of ['etc', 'opt/tree/sub', 'usr/bin', 'var/lib', 'proc/1', 'keep', 'home/app']) mkdirSync(at(d), { recursive: true });
  for (const f of ['etc/passwd', 'etc/group', 'opt/tree/sub/f', 'usr/bin/tool', 'var/lib/f', 'proc/1/status', 'keep/x', 'home/app/f', 'usr/bin/linked']) writeFileSync(at(f), 'x');
  for (const f of ['etc/passwd', 'etc/group', 'usr/bin/tool', 'keep/x', 'home/app/f', 'usr/bin/linked']) utimesSync(at(f), old, old);
  const before = await snapshot(root);
  assert.ok(!before.has('/proc/1/status') && !before.has('/proc'), 'runtime paths are never recorded');
  writeFileSync(at('etc/passwd'), 'xy'); // content
  chmodSync(at('usr/bin/tool'), 0o700); // metadata only
  rmSync(at('opt/tree'), { recursive: true }); // a tree: one delete
  rmSync(at('etc/group'));
  rmSync(at('var/lib'), { recursive: true }); // a dir that becomes a link: no whiteout below it
  symlinkSync('/tmp', at('var/lib'));
  writeFileSync(at('home/app/new'), 'n'); // added in a dir: the dir comes with it
  linkSync(at('usr/bin/linked'), at('keep/hard')); // a new link: the old name is not a change
  const changes = diffSnapshots(before, await snapshot(root));
  assert.equal(changes, [
    { path: '/etc', kind: 'modify' },
    { path: '/etc/group', kind: 'delete' },
    { path: '/etc/passwd', kind: 'modify' },
    { path: '/home', kind: 'modify' },
    { path: '/home/app', kind: 'modify' },
    { path: '/home/app/new', kind: 'add' },
    { path: '/keep', kind: 'modify' },
    { path: '/keep/hard', kind: 'add' },
    { path: '/opt', kind: 'modify' },
    { path: '/opt/tree', kind: 'delete' },
    { path: '/usr', kind: 'modify' },
    { path: '/usr/bin', kind: 'modify' },
    { path: '/usr/bin/tool', kind: 'modify' },
    { path: '/var', kind: 'modify' },
    { path: '/var/lib', kind: 'modify' },
  ]);
});

test('nothing changed, nothing reported (a directory touched by a temp file that came and went too)', async () => {
  const before = await snapshot(root);
  writeFileSync(at('etc/tmpfile'), '');
  rmSync(at('etc/tmpfile'));
  assert.equal(diffSnapshots(before, await snapshot(root)), []);
});

test('any name, and modes down to setuid and owners', async () => {
  mkdirSync(at('odd'));
  writeFileSync(at('odd/we\nird name\\ü'), '');
  const before = await snapshot(root);
  assert.ok(before.has('/odd/we\nird name\\ü'));
  chmodSync(at('odd/we\nird name\\ü'), 0o4755);
  assert.equal(diffSnapshots(before, await snapshot(root)), [{ path: '/odd', kind: 'modify' }, { path: '/odd/we\nird name\\ü', kind: 'modify' }]);
});

test.run();
