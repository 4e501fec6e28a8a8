// unpackImage against the hostile layer table (test/hostile/layer-tars.ts): nothing is written
// outside the root, nothing from outside appears inside, and refused layers say which entry and why.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sha256 } from '@pipeline/core';
import { PipelineError } from '@pipeline/core';
import { privateRoot, unpackImage } from '../../src/executor/rootfs.js';
import type { Image } from '../../src/model/image.js';
import type { Layer } from '../../src/model/layer.js';
import { HOSTILE_CASES, checkInside, hostState, leaksInside, makeHost, tarOf } from '../../../../test/hostile/layer-tars.js';

const base = mkdtempSync(join(tmpdir(), 'run-exec-hostile-'));
test.after(() => rmSync(base, { recursive: true, force: true }));

function layerOf(bytes: Buffer): Layer {
  const digest = sha256(bytes);
  return { digest, diffId: digest, size: bytes.length, mediaType: 'application/vnd.oci.image.layer.v1.tar', open: async () => Readable.from([bytes], { objectMode: false }) };
}

for (const owners of [false, true]) {
  for (const c of HOSTILE_CASES) {
    test(`${c.name}${owners ? ' (owners, as the chroot executor)' : ''}: ${c.attack}`, async () => {
      const host = makeHost(join(base, `${c.name}-${owners}`));
      const before = hostState(host);
      const layers = await Promise.all(c.layers(host).map(async (l) => layerOf(await tarOf(l))));
      const image = { config: { rootfs: { type: 'layers', diff_ids: [] }, config: {} }, layers } as unknown as Image;
      const priv = await privateRoot('run-exec-unpack-');
      try {
        const want = c.expect(host);
        const err = await unpackImage(image, priv.root, { owners }).then(() => undefined, (e: unknown) => e);
        if ('refused' in want) {
          assert.ok(err instanceof PipelineError, `expected a refusal, got ${err === undefined ? 'success' : String(err)}`);
          assert.is((err as PipelineError).exitCode, 2);
          assert.match((err as PipelineError).message, want.refused);
          assert.match((err as PipelineError).message, /layer sha256:[0-9a-f]{12}/);
        } else {
          assert.is(err, undefined, String(err));
          assert.equal(checkInside(priv.root, want.inside), []);
        }
        assert.equal(leaksInside(priv.root, host), []);
        assert.fixture(hostState(host), before);
        assert.is(statSync(join(priv.root, '..')).mode & 0o777, 0o700, 'the root sits in a directory only its owner can enter');
      } finally {
        await priv.dispose();
      }
    });
  }
}

test.run();
