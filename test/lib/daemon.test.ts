// The test helpers' own promise: a daemon that cannot start says why in one line, never hangs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startDaemon } from './daemon.js';

const never = async () => false;

test('a missing program is named with its Debian package', async () => {
  const e = await startDaemon({ name: 'forwarder', cmd: 'no-such-forwarder-xyz', args: [], pkg: 'socat', ready: never }).catch((x: Error) => x);
  assert.instance(e, Error);
  assert.match((e as Error).message, 'forwarder: no-such-forwarder-xyz is not installed (Debian package socat');
});

test('an early exit is reported with its code and last line', async () => {
  const e = await startDaemon({ name: 'proxy', cmd: 'sh', args: ['-c', 'echo bind: address in use >&2; exit 3'], pkg: 'dash', ready: never }).catch((x: Error) => x);
  assert.match((e as Error).message, 'proxy: sh exited with code 3: bind: address in use');
});

test('a daemon that never gets ready fails at its deadline, and is killed', async () => {
  const e = await startDaemon({ name: 'slow', cmd: 'sleep', args: ['30'], pkg: 'coreutils', ready: never, deadlineMs: 300 }).catch((x: Error) => x);
  assert.match((e as Error).message, 'slow: sleep did not come up within 0.3 s');
});

test('ready resolves with the running child', async () => {
  const { child } = await startDaemon({ name: 'ok', cmd: 'sleep', args: ['30'], pkg: 'coreutils', ready: async () => true });
  assert.ok(child.pid);
  child.kill('SIGKILL');
});

test.run();
