// The committed Action: action.yml runs dist/action/index.mjs on node24; the bundle is rebuilt here
// and must equal the committed one byte for byte (a stale bundle would ship old code to every user).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinModules } from 'node:module';
import { parse } from 'yaml';
import { ACTION_INPUTS } from '@pipeline/cli';
import { OUTPUTS } from '../src/index.js';
import { tempDir } from '../../../test/lib/tmp.js';
// @ts-expect-error: a plain .mjs build script
import { bundleAction } from '../../../scripts/bundle-action.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const committed = join(root, 'dist/action');
const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as { runs: { using: string; main: string }; inputs: Record<string, { default?: unknown }>; outputs: Record<string, unknown> };

test('the committed bundle is what the sources build today (else: npm run build:action, and commit dist/action)', async () => {
  const out = tempDir('action-bundle-');
  await bundleAction(out);
  for (const f of ['index.mjs', 'licenses.txt']) {
    assert.ok(existsSync(join(committed, f)), `dist/action/${f} is committed`);
    const same = readFileSync(join(out, f)).equals(readFileSync(join(committed, f)));
    assert.ok(same, `dist/action/${f} is stale: run npm run build:action and commit dist/action`);
  }
});

test('action.yml: node24, main is the committed bundle, one file that imports only Node built-ins', () => {
  assert.is(action.runs.using, 'node24');
  assert.is(action.runs.main, 'dist/action/index.mjs');
  const text = readFileSync(join(root, action.runs.main), 'utf8');
  const specs = [...text.matchAll(/(?:^|[;}\s])import(?:[^;"']*from)?\s*["']([^"']+)["']/g)].map((m) => m[1]);
  const builtin = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  assert.ok(specs.length > 0);
  assert.equal(specs.filter((s) => !builtin.has(s)), [], 'nothing to install on the runner');
});

test('action.yml declares exactly the inputs the settings resolver reads and the outputs the Action sets; no input default', () => {
  assert.equal(Object.keys(action.inputs).sort(), Object.values(ACTION_INPUTS).sort());
  assert.equal(Object.keys(action.inputs).filter((k) => action.inputs[k].default !== undefined), [], 'an input default would count as given (and a context default would force single-image mode)');
  assert.equal(Object.keys(action.outputs).sort(), [...OUTPUTS].sort());
});

test('packages/action is the only importer of @actions/*', () => {
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ts$/.test(e.name) && /from ['"]@actions\//.test(readFileSync(p, 'utf8'))) offenders.push(p.slice(root.length));
    }
  };
  for (const pkg of readdirSync(join(root, 'packages'))) if (pkg !== 'action' && existsSync(join(root, 'packages', pkg, 'src'))) walk(join(root, 'packages', pkg, 'src'));
  assert.equal(offenders, []);
});

test('every bundled package has its license beside the bundle', () => {
  const licenses = readFileSync(join(committed, 'licenses.txt'), 'utf8');
  for (const name of ['@actions/core', 'dockerode', 'ssh2', 'yaml', 'semver', 'tar-stream', 'simple-git', 'execa']) assert.match(licenses, new RegExp(`^${name.replace('/', '\\/')}@\\d`, 'm'), name);
  assert.not.match(licenses, /no license file in the package; package\.json says nothing/);
});

test.run();
