import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isRegistryError, parseReference, type RegistryError } from '@pipeline/core';
import { needs } from '../../../../test/lib/services.js';
import { pushImage, listTags, resolve } from '../../src/registry/index.js';
import { smallImage } from './helpers.js';
import { clientFor, testRegistries, uniqueRepo } from './itg.js';

const semver = (t: string): boolean => /^\d+\.\d+(\.\d+)?$/.test(t);

if (needs(test, 'registry')) {
  const [, basic] = testRegistries();

  test('immutable tag at another digest → exit 2 before any upload, no tag written; same digest → no-op; force moves it', async () => {
    const client = clientFor(basic.host, basic.creds);
    const repo = uniqueRepo('immutable');
    const ref = parseReference(`${basic.host}/${repo}`);
    const v1 = await smallImage(1);
    const first = await pushImage(client, v1.image, ref, { tags: ['1.0', 'latest'], immutableTags: semver });

    const other = await smallImage(1);
    const e = await pushImage(client, other.image, ref, { tags: ['stable', '1.0'], immutableTags: semver }).catch((x: unknown) => x);
    assert.ok(isRegistryError(e));
    assert.is((e as RegistryError).exitCode, 2);
    assert.is((e as RegistryError).code, 'TAG_IMMUTABLE');
    assert.match((e as RegistryError).message, first.digest);
    assert.is(other.layers[0].opens, 0, 'refused before reading any layer');
    assert.equal((await listTags(client, repo)).sort(), ['1.0', 'latest'], 'no tag of the refused push was written');

    const same = await pushImage(client, v1.image, ref, { tags: ['1.0', 'latest'], immutableTags: semver });
    assert.equal(same.tags, [], 'tags already at this digest are left alone');
    assert.is(same.uploadedBytes, 0);

    const forced = await pushImage(client, other.image, ref, { tags: ['1.0'], immutableTags: semver, force: true });
    assert.is((await resolve(client, { ...ref, tag: '1.0' }))?.digest, forced.digest);
  });
}

test.run();
