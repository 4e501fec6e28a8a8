// The workflow files users copy must keep working: every input they give exists in action.yml, and
// the pipeline.yml beside them is valid. The README's smallest workflow is checked the same way.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadConfig } from '../../cli/src/config/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const inputs = Object.keys((parse(readFileSync(join(root, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> }).inputs);

type Step = { uses?: string; with?: Record<string, unknown> };
type Workflow = { on: unknown; permissions?: Record<string, string>; jobs: Record<string, { concurrency?: { group: string }; permissions?: unknown; steps: Step[] }> };

function pipelineSteps(w: Workflow): Step[] {
  return Object.values(w.jobs).flatMap((j) => j.steps).filter((s) => /\/pipeline@v1$/.test(s.uses ?? ''));
}

test('examples/github/workflow.yml: permissions, one deploy per environment, only inputs action.yml declares', async () => {
  const w = parse(readFileSync(join(root, 'examples/github/workflow.yml'), 'utf8')) as Workflow;
  assert.equal(w.permissions, { contents: 'read', packages: 'write' });
  const steps = pipelineSteps(w);
  assert.is(steps.length, 1);
  for (const k of Object.keys(steps[0].with ?? {})) assert.ok(inputs.includes(k), `input ${k} is declared in action.yml`);
  assert.equal(['registry', 'username', 'password', 'deploy'].filter((k) => !(k in (steps[0].with ?? {}))), []);
  assert.match(Object.values(w.jobs)[0].concurrency?.group ?? '', /deploy-production/);
  const cfg = await loadConfig(join(root, 'examples/github/pipeline.yml'));
  assert.equal(Object.keys(cfg.environments), ['production']);
});

test('README: the smallest workflow "In GitHub Actions" uses declared inputs', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## In GitHub Actions'));
  const block = /```yaml\n([^]*?)```/.exec(section)?.[1];
  assert.ok(block, 'a yaml block in the section');
  const steps = pipelineSteps(parse(block!) as Workflow);
  assert.is(steps.length, 1);
  for (const k of Object.keys(steps[0].with ?? {})) assert.ok(inputs.includes(k), `input ${k} is declared in action.yml`);
});

test.run();
