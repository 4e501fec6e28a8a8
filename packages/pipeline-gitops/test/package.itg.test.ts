// The CLI as a user installs it: `npm pack` of pipeline-gitops, installed offline into an empty project
// outside the repository (only registry dependencies, all already in the npm cache), then
// `npx pipeline --version` and `npx pipeline build` to an OCI layout — the same digest the repository's
// own CLI builds from the same context.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metafile } from 'esbuild';
import { VERSION } from '../../cli/src/version.js';
import { runCli } from '../../../test/lib/cli.js';
import { tempDir } from '../../../test/lib/tmp.js';
// @ts-expect-error: a plain .mjs build script
import { bundleNpm } from '../../../scripts/bundle-npm.mjs';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));
const work = tempDir('npm-package-');
const project = join(work, 'project');
const npm = (args: string[], cwd: string) => spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 600_000, env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } });
let tarball = '';

test('npm pack: bin, the bundle and its licenses; only registry dependencies, the ones the workspace pins', () => {
  const r = npm(['pack', '--json', '--pack-destination', work], pkgDir);
  assert.is(r.status, 0, r.stderr);
  const [info] = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as { filename: string; version: string; files: { path: string }[] }[];
  tarball = join(work, info.filename);
  assert.equal(info.files.map((f) => f.path).sort(), ['README.md', 'bin/pipeline.mjs', 'dist/THIRD-PARTY-LICENSES.txt', 'dist/pipeline.mjs', 'package.json']);
  assert.is(info.version, VERSION, 'the package and `pipeline --version` agree');
  const pkg = JSON.parse(execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' })) as { name: string; bin: Record<string, string>; dependencies: Record<string, string> };
  assert.equal([pkg.name, pkg.bin], ['pipeline-gitops', { pipeline: 'bin/pipeline.mjs' }]);
  const pinned = { ...JSON.parse(readFileSync(join(root, 'packages/build/package.json'), 'utf8')).dependencies, ...JSON.parse(readFileSync(join(root, 'packages/deploy/package.json'), 'utf8')).dependencies } as Record<string, string>;
  for (const [name, range] of Object.entries(pkg.dependencies)) {
    assert.not.match(range, /^(file:|link:|workspace:|\.|\/)/, `${name} is a registry dependency`);
    assert.is(range, pinned[name], `${name} as the workspace pins it`);
  }
});

test('everything the bundle loads is Node\'s own or a declared dependency', async () => {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const { metafile } = (await bundleNpm(join(work, 'rebuilt'))) as { metafile: Metafile };
  const external = Object.values(metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
  const builtin = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  const pkgName = (p: string) => (p.startsWith('@') ? p.split('/').slice(0, 2).join('/') : p.split('/')[0]);
  // Optional requires inside try/catch of bundled code: ssh2's native helper, debug's colours.
  const optional = new Set(['cpu-features', 'supports-color']);
  assert.equal([...new Set(external.filter((p) => !builtin.has(p)).map(pkgName))].filter((m) => !(m in pkg.dependencies) && !optional.has(m)).sort(), []);
  assert.ok(external.includes('dockerode') && external.includes('ssh2'));
});

test('installs offline into an empty project outside the repository; npx pipeline --version', () => {
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-app', version: '1.0.0', private: true }));
  const r = npm(['install', '--offline', '--save-dev', tarball], project);
  assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const v = spawnSync('npx', ['--offline', 'pipeline', '--version'], { cwd: project, encoding: 'utf8', timeout: 120_000 });
  assert.is(v.status, 0, v.stderr);
  assert.is(v.stdout.trim(), `pipeline ${VERSION}`);
});

test('npx pipeline build writes an OCI layout with the digest the repository CLI builds', async () => {
  const ctx = join(project, 'site');
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY index.html /srv/\nCMD ["/srv/index.html"]\n');
  writeFileSync(join(ctx, 'index.html'), '<h1>hi</h1>\n');
  const env = { ...process.env, SOURCE_DATE_EPOCH: '0', XDG_CACHE_HOME: join(work, 'cache') };
  const r = spawnSync('npx', ['--offline', 'pipeline', 'build', 'site', '-o', 'oci:out/site', '--json'], { cwd: project, encoding: 'utf8', timeout: 120_000, env });
  assert.is(r.status, 0, r.stderr);
  const built = JSON.parse(r.stdout) as { digest: string };
  const inspected = JSON.parse(execFileSync('skopeo', ['inspect', `oci:${join(project, 'out/site')}:latest`], { encoding: 'utf8' })) as { Digest: string };
  assert.is(inspected.Digest, built.digest);
  const mine = await runCli(['build', ctx, '-o', `oci:${join(work, 'repo-out')}`, '--json'], { SOURCE_DATE_EPOCH: '0', XDG_CACHE_HOME: join(work, 'cache2') });
  assert.is((JSON.parse(mine.stdout) as { digest: string }).digest, built.digest);
});

test.run();
