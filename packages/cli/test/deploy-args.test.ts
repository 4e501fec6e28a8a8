// Argument handling of the deploy commands that needs no engine: which recorded image an environment
// deploys, who the actor is, flag values, and usage errors through main().
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { isPipelineError } from '@pipeline/core';
import { parseDeployConfig } from '@pipeline/deploy';
import { actorFor, durationFlag, intFlag, pickRecorded } from '../src/commands/deploy-env.js';
import { main } from '../src/main.js';
import type { BuildRecord } from '../src/pipeline/record.js';
import { tempDir } from '../../../test/lib/tmp.js';

const at = () => ({ file: 'pipeline.yml' });
const envOf = (e: Record<string, unknown>) => parseDeployConfig({ p: { hosts: ['unix:///var/run/docker.sock'], ...e } }, at).p;
const D = (c: string) => `sha256:${c.repeat(64)}`;
const rec = (images: Record<string, string>): BuildRecord => ({ version: 1, images: Object.fromEntries(Object.entries(images).map(([n, source]) => [n, { inputs: 'x', digest: source.split('@')[1] ?? D('0'), tags: [], source, revision: `${n}-sha` }])) });
const cfg = { images: { os: { from: { kind: 'external', ref: 'debian:12' } }, node: { from: { kind: 'image', name: 'os' } }, app: { from: { kind: 'image', name: 'node' } } } } as never;

test('pickRecorded: by the environment image repository, else app name, else the only pushed leaf image', () => {
  const r = rec({ os: `127.0.0.1:5000/team/os@${D('a')}`, node: `127.0.0.1:5000/team/node@${D('b')}`, app: `127.0.0.1:5000/team/app@${D('c')}` });
  assert.is(pickRecorded(cfg, envOf({ image: '127.0.0.1:5000/team/node' }), r)?.name, 'node');
  assert.is(pickRecorded(cfg, envOf({ image: '127.0.0.1:5000/team/other' }), r), undefined);
  assert.is(pickRecorded(cfg, envOf({ app: 'os' }), r)?.name, 'os');
  assert.is(pickRecorded(cfg, envOf({}), r)?.name, 'app');
  assert.is(pickRecorded(cfg, envOf({}), r)?.revision, 'app-sha');
});

test('pickRecorded: a local-only build (oci: source) is not deployable', () => {
  const r = rec({ app: '/repo/.pipeline/images/app:latest'.replace(/^/, 'oci:') });
  assert.is(pickRecorded(cfg, envOf({}), r), undefined);
  assert.is(pickRecorded(cfg, envOf({ image: '127.0.0.1:5000/team/app' }), r), undefined);
});

test('actorFor: PIPELINE_ACTOR, then the detected CI\'s user, then the git author of HEAD', async () => {
  const dir = tempDir('actor-');
  assert.is(await actorFor({ PIPELINE_ACTOR: 'me', GITHUB_ACTIONS: 'true', GITHUB_ACTOR: 'octo' }, dir), 'me');
  assert.is(await actorFor({ GITHUB_ACTIONS: 'true', GITHUB_ACTOR: 'octo', DRONE_COMMIT_AUTHOR: 'drone' }, dir), 'octo');
  assert.is(await actorFor({ CI: 'woodpecker', CI_COMMIT_AUTHOR: 'Jane <j@x>' }, dir), 'Jane <j@x>');
  assert.is(await actorFor({ DRONE: 'true', DRONE_COMMIT_AUTHOR: 'drone-user' }, dir), 'drone-user');
  assert.is(await actorFor({ GITHUB_ACTOR: 'not-in-actions', USER: 'login' }, dir), 'login');
});

test('durationFlag and intFlag: values or a UsageError naming the flag', () => {
  assert.is(durationFlag('5m', 'lock-wait'), 300_000);
  assert.is(durationFlag('500ms', 'lock-wait'), 500);
  assert.is(durationFlag(undefined, 'lock-wait'), undefined);
  assert.throws(() => durationFlag('soon', 'lock-wait'), (e: Error) => isPipelineError(e) && e.exitCode === 2 && /Expected --lock-wait to be a duration like 500ms, 30s or 1m30s, got "soon"/.test(e.message));
  assert.is(intFlag('3', 'keep', 1), 3);
  assert.throws(() => intFlag('0', 'keep', 1), (e: Error) => /Expected --keep N, an integer of at least 1, got "0"/.test(e.message));
  assert.throws(() => intFlag('2.5', 'limit', 1), (e: Error) => /--limit N/.test(e.message));
});

async function run(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (f: (s: string) => void) => new Writable({ write(c, _e, cb) { f(String(c)); cb(); } });
  const code = await main(args, { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), cwd, env: { ...process.env, CI: 'true' } });
  return { code, out, err };
}

test('usage errors through main(): exit 2 before anything is opened', async () => {
  const dir = tempDir('deploy-args-');
  writeFileSync(join(dir, 'pipeline.yml'), 'version: 1\nenvironments:\n  staging: { hosts: [unix:///var/run/docker.sock], app: web }\n');
  let r = await run(['deploy'], dir);
  assert.is(r.code, 2);
  assert.match(r.err, /Expected one ENVIRONMENT, got none/);
  r = await run(['status', 'staging', 'production'], dir);
  assert.is(r.code, 2);
  assert.match(r.err, /Expected one ENVIRONMENT, got staging production/);
  r = await run(['lock', 'staging'], dir);
  assert.is(r.code, 2);
  assert.match(r.err, /Expected lock status or lock release, got "staging"/);
  r = await run(['history', 'staging', '--limit', 'all'], dir);
  assert.is(r.code, 2);
  assert.match(r.err, /Expected --limit N/);
  r = await run(['deploy', 'staging', '--bogus'], dir);
  assert.is(r.code, 2);
  assert.match(r.err, /Unknown option '--bogus'/);
  r = await run(['deploy', 'staging'], dir);
  assert.is(r.code, 2);
  assert.match(r.err, /pipeline\.yml:3:3: environments\.staging: no image to deploy/);
  r = await run(['status', 'nope', '--json'], dir);
  assert.is(r.code, 2);
  assert.equal(JSON.parse(r.out).error.position, { file: join(dir, 'pipeline.yml'), line: 2, column: 1 });
  writeFileSync(join(dir, 'pipeline.yml'), 'version: 1\n');
  r = await run(['deploy', 'staging'], dir);
  assert.is(r.code, 2);
  assert.match(r.err, /no environment 'staging': pipeline.yml defines none/);
});

test.run();
