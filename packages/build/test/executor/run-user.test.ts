// USER for a RUN step, as runc resolves it for `docker build` (BuildKit). The same specs are built
// with docker on the test engine and compared in the conformance suite (test/conformance/cases/run.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveRunUser, RunUserError } from '../../src/executor/run-user.js';

const passwd = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n# comment\nbroken line\nnohome:x:1500:1500::\n';
const group = 'root:x:0:\napp:x:1000:\nextra:x:2000:app,other\nother:x:3000:\nwheel:x:10:root\n';

test('no USER is root, with the groups listing root and HOME from passwd', () => {
  assert.equal(resolveRunUser('', passwd, group), { uid: 0, gid: 0, groups: [10], home: '/root' });
  assert.equal(resolveRunUser('root', passwd, group), { uid: 0, gid: 0, groups: [10], home: '/root' });
});

test('a name: its ids, home, and the groups listing it', () => {
  assert.equal(resolveRunUser('app', passwd, group), { uid: 1000, gid: 1000, groups: [2000], home: '/home/app' });
  assert.equal(resolveRunUser('nohome', passwd, group), { uid: 1500, gid: 1500, groups: [], home: '/' });
});

test('an explicit group replaces the primary one, and no member groups are added', () => {
  assert.equal(resolveRunUser('app:other', passwd, group), { uid: 1000, gid: 3000, groups: [], home: '/home/app' });
  assert.equal(resolveRunUser('1000:3000', passwd, group), { uid: 1000, gid: 3000, groups: [], home: '/home/app' });
  assert.equal(resolveRunUser('1234:2000', passwd, group), { uid: 1234, gid: 2000, groups: [], home: '/' });
  assert.equal(resolveRunUser('app:4242', passwd, group), { uid: 1000, gid: 4242, groups: [], home: '/home/app' });
});

test('a number without a passwd entry is that uid with gid 0 and HOME /; no /etc files at all is fine for numbers', () => {
  assert.equal(resolveRunUser('1234', passwd, group), { uid: 1234, gid: 0, groups: [], home: '/' });
  assert.equal(resolveRunUser('77:88', undefined, undefined), { uid: 77, gid: 88, groups: [], home: '/' });
});

test('a name the image does not have is an error naming it', () => {
  assert.throws(() => resolveRunUser('ghost', passwd, group), (e: unknown) => e instanceof RunUserError && /unable to find user ghost/.test((e as Error).message));
  assert.throws(() => resolveRunUser('app:ghosts', passwd, group), /unable to find group ghosts/);
  assert.throws(() => resolveRunUser('app', undefined, undefined), /unable to find user app/);
});

test.run();
