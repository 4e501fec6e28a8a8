// The image an image test loads into the real engine is removed after the test; one that was
// there before is left alone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type Docker from 'dockerode';
import { dockerFor, leaseImage } from '../../src/executor/engine.js';
import { needs } from '../../../../test/lib/services.js';
import { smallImage } from '../registry/helpers.js';

const ok = needs(test, 'docker');
const exists = async (docker: Docker, id: string) => docker.getImage(id).inspect().then(() => true, () => false);
const made: string[] = [];
test.after(async () => {
  if (!ok) return;
  const docker = await dockerFor();
  for (const id of made) await docker.getImage(id).remove({ force: true }).catch(() => undefined);
});

if (ok) {
  test('a lease that loaded the image removes it on release; a second lease of it, or one while a container uses it, does not', async () => {
    const docker = await dockerFor();
    const { image } = await smallImage(1);
    const lease = await leaseImage(docker, image);
    made.push(lease.id);
    assert.ok(await exists(docker, lease.id), 'loaded');
    const second = await leaseImage(docker, image);
    assert.is(second.id, lease.id);
    await second.release();
    assert.ok(await exists(docker, lease.id), 'the second lease did not load it, so it does not remove it');
    const c = await docker.createContainer({ Image: lease.id, Cmd: ['/bin/true'], Labels: { 'dev.pipeline.test': 'true' } });
    try {
      await lease.release();
      assert.ok(await exists(docker, lease.id), 'the engine keeps an image a container uses');
    } finally {
      await c.remove({ force: true });
    }
    await lease.release();
    assert.not.ok(await exists(docker, lease.id), 'removed by the lease that loaded it');
  });
}

test.run();
