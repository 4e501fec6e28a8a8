// The wait loop's sleep on a deploy's abort signal: no listener left behind per sleep (issue 11: every deploy
// with a stability window printed MaxListenersExceededWarning), and an abort ends a sleep at once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getEventListeners } from 'node:events';
import { sleep } from '../src/util/sleep.js';

test('50 sleeps on one signal leave no abort listener and raise no warning', async () => {
  const ac = new AbortController();
  const warnings: Error[] = [];
  const on = (w: Error) => warnings.push(w);
  process.on('warning', on);
  for (let i = 0; i < 50; i++) await sleep(1, ac.signal);
  await new Promise((r) => setImmediate(r));
  process.off('warning', on);
  assert.is(getEventListeners(ac.signal, 'abort').length, 0);
  assert.equal(warnings.map((w) => w.name), []);
});

test('an abort ends a long sleep without rejecting; an aborted signal does not sleep', async () => {
  const ac = new AbortController();
  const t0 = Date.now();
  const p = sleep(60_000, ac.signal);
  ac.abort(new Error('SIGINT'));
  await p;
  await sleep(60_000, ac.signal);
  assert.ok(Date.now() - t0 < 30_000);
});

test.run();
