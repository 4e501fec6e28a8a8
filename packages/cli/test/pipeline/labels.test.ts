import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDockerfile, type GitInfo } from '@pipeline/build';
import { parseConfig } from '../../src/config/index.js';
import { imageLabels } from '../../src/pipeline/labels.js';
import { tempDir } from '../../../../test/lib/tmp.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = tempDir('pipeline-labels-');
for (const d of ['os', 'node', 'app']) {
  mkdirSync(join(dir, d));
  writeFileSync(join(dir, d, 'Dockerfile'), 'FROM scratch\n');
}
const cfg = parseConfig(
  `version: 1
images:
  os: { dockerfile: os/Dockerfile, version: { label: version } }
  node: { dockerfile: node/Dockerfile, from: os, version: { arg: NODE_VERSION } }
  app: { dockerfile: app/Dockerfile, from: node }
`,
  join(dir, 'pipeline.yml'),
);
const git: GitInfo = { sha: 'h'.repeat(40), short: 'hhhhhhh', tags: [], commitTime: 2_000_000_000, dirty: false, dirtyFiles: [], author: 'a', remoteUrl: 'git@example.com:team/repo.git' };
const time = { time: 1_700_000_000, revision: 'r'.repeat(40), from: 'git' as const };

test('revision and created come from the last change of the inputs, never HEAD', () => {
  const l = imageLabels(cfg, 'app', parseDockerfile('FROM node\nCOPY . /app\n', 'Dockerfile'), { git, time });
  assert.is(l['org.opencontainers.image.revision'], 'r'.repeat(40));
  assert.is(l['org.opencontainers.image.created'], '2023-11-14T22:13:20.000Z');
  assert.is(l['org.opencontainers.image.version'], 'rrrrrrr');
  assert.is(l['org.opencontainers.image.source'], 'https://example.com/team/repo');
});

test('the label a base reads its version from states each image\'s own version (docker build would keep the base\'s)', () => {
  const df = parseDockerfile('FROM os\n', 'Dockerfile');
  assert.is(imageLabels(cfg, 'node', df, { git, time, version: '20' }).version, '20');
  assert.is(imageLabels(cfg, 'app', df, { git, time }).version, 'rrrrrrr', 'an app: its own version, as org.opencontainers.image.version');
  assert.is(imageLabels(cfg, 'os', parseDockerfile('FROM busybox\nLABEL version=1.0.0\n', 'Dockerfile'), { git, time, version: '1.0.0' }).version, undefined, 'the OS sets it itself');
  assert.is(imageLabels(cfg, 'app', parseDockerfile('FROM node\nLABEL "version"="3"\n', 'Dockerfile'), { git, time }).version, undefined, 'an image that sets the label keeps its own');
});

test.run();
