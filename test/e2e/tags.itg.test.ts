// `pipeline build -t` with docker's habits, through the binary: a full reference is built and pushed
// there, a bare tag is a tag of --image, NAME:TAG names the docker-archive (read back by `docker load`).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needs, services } from '../lib/services.js';
import { runCli } from '../lib/cli.js';
import { tempDir } from '../lib/tmp.js';

const ok = needs(test, 'docker', 'registry');
const NS = `tags-${process.pid}`;
const work = tempDir('pipeline-tags-');
const app = join(work, 'app');
const git = (...a: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...a], { cwd: app, encoding: 'utf8' }).trim();
const tagsOf = (repo: string) => (JSON.parse(execFileSync('skopeo', ['list-tags', '--tls-verify=false', `docker://${repo}`], { encoding: 'utf8' })) as { Tags: string[] }).Tags.sort();
const build = (...args: string[]) => runCli(['build', app, '--cache-dir', join(work, 'cache'), '--json', ...args], { SOURCE_DATE_EPOCH: '0', PIPELINE_TAGS: '', PIPELINE_IMAGES: '' });
const loaded: string[] = [];

if (ok) {
  const reg = services().registries.anon.host;
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /\n');
  writeFileSync(join(app, 'hello.txt'), 'hello\n');
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-qm', 'init');
  const sha = git('rev-parse', 'HEAD');
  test.after(() => {
    if (loaded.length) execFileSync('docker', ['rmi', '-f', ...loaded], { stdio: 'ignore' });
  });

  test('-t REGISTRY/REPO:TAG (twice) builds and pushes there, with no --push or --image', async () => {
    const r = await build('-t', `${reg}/${NS}/web:1.2`, '-t', `${reg}/${NS}/web:latest`);
    assert.is(r.code, 0, r.stderr);
    assert.equal(tagsOf(`${reg}/${NS}/web`), ['1.2', 'latest']);
    const j = JSON.parse(r.stdout) as { digest: string; push: { reference: string; tags: string[] } };
    assert.is(j.push.reference, `${reg}/${NS}/web@${j.digest}`);
  });

  test('with --image, a bare -t TAG is its tag instead of the git ones; without -t the git ones', async () => {
    let r = await build('--image', `${reg}/${NS}/api`, '--push', '-t', '1.0', '-t', 'stable');
    assert.is(r.code, 0, r.stderr);
    assert.equal(tagsOf(`${reg}/${NS}/api`), ['1.0', 'stable']);
    r = await build('--image', `${reg}/${NS}/api-git`, '--push');
    assert.is(r.code, 0, r.stderr);
    assert.equal(tagsOf(`${reg}/${NS}/api-git`), [sha, 'main', `sha-${sha.slice(0, 7)}`].sort());
  });

  test('NAME:TAG and full references name the docker-archive, as docker save would: docker load reads them back', async () => {
    const file = join(work, 'img.tar');
    const name = `${NS}-local:1.0`;
    const r = await build('-t', name, '-o', `docker-archive:${file}`);
    assert.is(r.code, 0, r.stderr);
    const out = execFileSync('docker', ['load', '-i', file], { encoding: 'utf8' });
    loaded.push(name);
    assert.match(out, new RegExp(`Loaded image: ${name}`));
    assert.is(tagsOf(`${reg}/${NS}/web`).includes('1.0'), false, 'a local name is not pushed');
  });

  test('a malformed -t is exit 2 naming the flag, and nothing is pushed', async () => {
    const r = await build('-t', `${reg}/${NS}/Bad/app:1`);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /Expected --tag to hold image references, got ".*\/Bad\/app:1"/);
  });
}

test.run();
