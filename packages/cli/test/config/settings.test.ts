import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPipelineError } from '@pipeline/core';
import { loadConfig, resolveSettings, type SettingFlags } from '../../src/config/index.js';

const config = await loadConfig(join(fileURLToPath(new URL('./fixtures/good/', import.meta.url)), 'pipeline.yml'));

// One row per layer, highest first; each row sets every setting, so the first row present must win.
const layers: { name: string; flags?: SettingFlags; env?: Record<string, string> }[] = [
  { name: 'flag', flags: { registry: 'flag.io', namespace: 'flagns', tags: ['f1'], images: ['app'], insecure: true, strict: true, sha: 'f'.repeat(40), branch: 'flag-branch' } },
  { name: 'pipeline', env: { PIPELINE_REGISTRY: 'pipe.io', PIPELINE_NAMESPACE: 'pipens', PIPELINE_TAGS: 'p1, p2', PIPELINE_IMAGES: 'node', PIPELINE_INSECURE: 'false', PIPELINE_STRICT: 'false', PIPELINE_SHA: 'p'.repeat(40), PIPELINE_BRANCH: 'pipe-branch' } },
  { name: 'plugin', env: { PLUGIN_REGISTRY: 'plugin.io', PLUGIN_NAMESPACE: 'pluginns', PLUGIN_TAGS: 'd1,d2', PLUGIN_IMAGES: 'os,app', PLUGIN_INSECURE: 'true', PLUGIN_STRICT: 'true', DRONE_COMMIT_SHA: 'd'.repeat(40), DRONE_BRANCH: 'drone-branch' } },
  { name: 'gitlab', env: { CI_REGISTRY: 'registry.gitlab.com', CI_REGISTRY_IMAGE: 'registry.gitlab.com/group/project', CI_COMMIT_SHA: 'c'.repeat(40), CI_COMMIT_BRANCH: 'gl-branch' } },
];

const expected: Record<string, object> = {
  flag: { registry: 'flag.io', namespace: 'flagns', tags: ['f1'], images: ['app'], insecure: true, strict: true, sha: 'f'.repeat(40), branch: 'flag-branch' },
  pipeline: { registry: 'pipe.io', namespace: 'pipens', tags: ['p1', 'p2'], images: ['node'], insecure: false, strict: false, sha: 'p'.repeat(40), branch: 'pipe-branch' },
  plugin: { registry: 'plugin.io', namespace: 'pluginns', tags: ['d1', 'd2'], images: ['os', 'app'], insecure: true, strict: true, sha: 'd'.repeat(40), branch: 'drone-branch' },
  gitlab: { registry: 'registry.gitlab.com', namespace: 'group/project', tags: undefined, images: ['os', 'node', 'app'], insecure: false, strict: false, sha: 'c'.repeat(40), branch: 'gl-branch' },
  config: { registry: '127.0.0.1:5000', namespace: 'team', tags: undefined, images: ['os', 'node', 'app'], insecure: false, strict: false, sha: undefined, branch: undefined },
};

const pick = (s: ReturnType<typeof resolveSettings>) => ({ registry: s.registry, namespace: s.namespace, tags: s.tags, images: s.images, insecure: s.insecure, strict: s.strict, sha: s.sha, branch: s.branch });

for (let top = 0; top <= layers.length; top++) {
  const present = layers.slice(top);
  const name = layers[top]?.name ?? 'config';
  test(`precedence: with layers ${present.map((l) => l.name).join(' + ') || '(none)'} + pipeline.yml, ${name} wins`, () => {
    const flags = Object.assign({}, ...present.map((l) => l.flags ?? {}));
    const env = Object.assign({}, ...present.map((l) => l.env ?? {}));
    assert.equal(pick(resolveSettings({ flags, env, config })), expected[name]);
  });
}

test('sources say where each value came from', () => {
  const s = resolveSettings({ flags: { tags: ['x'] }, env: { PLUGIN_REGISTRY: 'r.io', PIPELINE_STRICT: '1', CI_COMMIT_SHA: 'abc', CI_REGISTRY_IMAGE: 'gl.io/g/p' }, config });
  assert.equal(s.sources, { registry: 'env:PLUGIN_REGISTRY', namespace: 'env:CI_REGISTRY_IMAGE', tags: 'flag', images: 'config', insecure: 'config', strict: 'env:PIPELINE_STRICT', sha: 'env:CI_COMMIT_SHA', branch: 'default' });
  assert.is(s.strict, true);
});

test('no config, no env: defaults', () => {
  const s = resolveSettings({});
  assert.equal(pick(s), { registry: undefined, namespace: undefined, tags: undefined, images: [], insecure: false, strict: false, sha: undefined, branch: undefined });
  assert.is(s.sources.insecure, 'default');
});

test('empty env values count as unset (Drone passes unset settings as empty strings)', () => {
  const s = resolveSettings({ env: { PIPELINE_REGISTRY: '', PLUGIN_REGISTRY: 'plugin.io', PLUGIN_TAGS: '' }, config });
  assert.is(s.registry, 'plugin.io');
  assert.is(s.tags, undefined);
});

test('a bad boolean or an unknown image is a usage error naming its source', () => {
  const err = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return isPipelineError(e) ? `${e.exitCode} ${e.message}` : String(e);
    }
    return 'no error';
  };
  assert.is(err(() => resolveSettings({ env: { PLUGIN_INSECURE: 'maybe' } })), "2 Expected PLUGIN_INSECURE to be true or false, got 'maybe'");
  assert.is(err(() => resolveSettings({ env: { PIPELINE_IMAGES: 'ap' }, config })), "2 unknown image 'ap' (from env:PIPELINE_IMAGES) (did you mean 'app'?); images: os, node, app");
});

test.run();
