import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lintDockerfile } from '../../src/lint/index.js';
import { parseDockerfile } from '../../src/dockerfile/index.js';

test('FROM <an image of pipeline.yml> is pinned by the pipeline, so PL007 stays quiet for it only', () => {
  const df = parseDockerfile('FROM node\nCOPY . /app\nCMD ["node", "/app/server.js"]\n', 'Dockerfile');
  const rules = (names?: string[]) => lintDockerfile(df, { pipelineImages: names }).map((f) => f.rule);
  assert.ok(rules().includes('PL007'));
  assert.not.ok(rules(['node', 'os']).includes('PL007'));
  assert.ok(rules(['os']).includes('PL007'));
});

test.run();
