// The CI examples and the GitLab component say only what the plugin understands: every setting of a
// plugin step, encoded as Drone and Woodpecker encode them (scalars as text, lists comma-joined,
// mappings as JSON), is a known PLUGIN_* name that resolves; every `pipeline …` command exists; the
// component's inputs are declared and used. A typo in an example fails here, not in a user's CI.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse } from 'yaml';
import { commands } from '../src/commands/index.js';
import { checkPluginEnv, resolveSettings } from '../src/settings/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (p: string) => readFileSync(`${root}${p}`, 'utf8');
const IMAGE = 'ghcr.io/OWNER/pipeline-plugin:1';

/** A step's settings as the runner hands them over (drone-runner's and Woodpecker's encoding). */
function pluginEnv(settings: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(settings)) {
    const name = `PLUGIN_${k.toUpperCase().replace(/[-.]/g, '_')}`;
    if (v && typeof v === 'object' && 'from_secret' in v) env[name] = `secret-of-${String((v as { from_secret: string }).from_secret)}`;
    else if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) env[name] = v.join(',');
    else env[name] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return env;
}

function checkCommands(lines: string[], where: string) {
  for (const line of lines) for (const m of line.matchAll(/(?:^|&&\s*|;\s*)pipeline ([a-z-]+)/g)) assert.ok(commands[m[1]], `${where}: pipeline ${m[1]} is not a command`);
}

interface Step {
  name: string;
  image: string;
  settings?: Record<string, unknown>;
  commands?: string[];
  when?: { branch?: string[] | string }[] & { branch?: string[] };
}

function checkPluginSteps(file: string, steps: Step[]) {
  assert.ok(steps.length >= 2, `${file}: a build and a deploy step`);
  for (const s of steps) {
    assert.is(s.image, IMAGE, `${file} ${s.name}: the plugin image`);
    if (s.settings) {
      const env = pluginEnv(s.settings);
      assert.equal(checkPluginEnv(env).warnings, [], `${file} ${s.name}`);
      resolveSettings({ env, door: 'plugin' });
    }
    checkCommands(s.commands ?? [], `${file} ${s.name}`);
  }
  assert.ok(steps.some((s) => s.commands?.some((c) => /pipeline deploy /.test(c))), `${file}: deploys`);
}

test('examples/drone/.drone.yml: plugin settings drone-docker\'s way, a deploy on the default branch', () => {
  const y = parse(read('examples/drone/.drone.yml')) as { kind: string; steps: Step[] };
  assert.is(y.kind, 'pipeline');
  checkPluginSteps('.drone.yml', y.steps);
  assert.equal(y.steps.find((s) => s.name === 'deploy')!.when!.branch, ['main']);
});

test('examples/woodpecker/.woodpecker.yml: a mapping setting (JSON) and the default branch from CI_REPO_DEFAULT_BRANCH', () => {
  const y = parse(read('examples/woodpecker/.woodpecker.yml')) as { steps: Step[] };
  checkPluginSteps('.woodpecker.yml', y.steps);
  const build = y.steps.find((s) => s.name === 'build')!;
  assert.equal(resolveSettings({ env: pluginEnv(build.settings!), door: 'plugin' }).buildArgs, { NODE_ENV: 'production' });
  assert.is(y.steps.find((s) => s.name === 'deploy')!.when![0].branch, '${CI_REPO_DEFAULT_BRANCH}');
});

test('examples/gitlab/.gitlab-ci.yml: PLUGIN_* variables, the dotenv report, a deploy on the default branch', () => {
  const y = parse(read('examples/gitlab/.gitlab-ci.yml')) as Record<string, { image?: { name: string }; variables?: Record<string, string>; script?: string[]; rules?: { if: string }[]; artifacts?: { reports?: { dotenv?: string } } }>;
  for (const [name, job] of Object.entries(y)) {
    if (!job || typeof job !== 'object' || !('script' in job)) continue;
    assert.is(job.image?.name, IMAGE, name);
    const vars = Object.fromEntries(Object.entries(job.variables ?? {}).filter(([k]) => k.startsWith('PLUGIN_')));
    assert.equal(checkPluginEnv(vars).warnings, [], name);
    checkCommands(job.script ?? [], name);
  }
  assert.is(y.build.artifacts?.reports?.dotenv, '.pipeline/digest.env');
  assert.equal(y.deploy.rules, [{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }]);
});

test('templates/build.yml (GitLab CI/CD component): every input declared is used, every one used is declared, every variable is a setting', () => {
  const text = read('templates/build.yml');
  const [header, body] = parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown>);
  const inputs = Object.keys((header.spec as { inputs: Record<string, unknown> }).inputs);
  const used = [...text.matchAll(/\$\[\[\s*inputs\.([\w-]+)\s*\]\]/g)].map((m) => m[1]);
  assert.equal([...new Set(used)].sort(), [...inputs].sort());
  const job = body['pipeline-build'] as { variables: Record<string, string>; script: string[] };
  const vars = Object.fromEntries(Object.keys(job.variables).map((k) => [k, 'x']));
  assert.equal(checkPluginEnv(vars).warnings, []);
  checkCommands(job.script, 'templates/build.yml');
  assert.is(((header.spec as { inputs: Record<string, { default: string }> }).inputs.image).default, IMAGE);
});

test.run();
