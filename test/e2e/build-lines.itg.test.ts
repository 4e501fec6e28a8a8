// Build behaviour around Dockerfile lines, through the real binary against the real registry:
// errors name their line, FROM --platform is honoured, a FROM image is read once per build, nothing
// is pushed when a later line is bad, COPY --from leaves no temp dir, ADD's archive limits.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { needs, services } from '../lib/services.js';
import { runCli } from '../lib/cli.js';
import { tempDir } from '../lib/tmp.js';
import { startFaultyProxy } from '../lib/faulty-proxy.js';
import { tarball } from '../conformance/archive.js';

const work = tempDir('pipeline-lines-');
let n = 0;
/** A context with a Dockerfile and a file `a`; returns its directory. */
const ctx = (dockerfile: string, files: Record<string, string | Buffer> = {}) => {
  const d = join(work, `c${++n}`);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'Dockerfile'), dockerfile);
  writeFileSync(join(d, 'a'), 'a\n');
  for (const [k, v] of Object.entries(files)) writeFileSync(join(d, k), v);
  return d;
};
const env = { SOURCE_DATE_EPOCH: '0' };
const noStack = (s: string) => assert.not.match(s, /\n\s+at .+\(.+:\d+:\d+\)/, 'no stack trace');

test('an invalid FROM reference names its line (exit 2)', async () => {
  const d = ctx('FROM scratch AS ok\nFROM UPPER/Case:tag::x\n');
  const r = await runCli(['build', d, '-o', `oci:${join(d, 'out')}`], env);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /Dockerfile:2:6: Invalid image reference "UPPER\/Case:tag::x"/);
  noStack(r.stderr);
});

test('--chown=1:2:3 and an id past 2^32-2 are refused at line:col (exit 2), before any layer', async () => {
  for (const [spec, msg] of [['1:2:3', /Expected user\[:group\], got 3 parts/], ['99999999999', /Expected an id from 0 to 4294967294, got 99999999999/]] as const) {
    const d = ctx(`FROM scratch\nCOPY a /a\nCOPY --chown=${spec} a /b\n`);
    const r = await runCli(['build', d, '-o', `oci:${join(d, 'out')}`], env);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`Dockerfile:3:\\d+: --chown=${spec}: ${msg.source}`));
    noStack(r.stderr);
  }
});

test('ADD of an archive past PIPELINE_ADD_MAX_ENTRIES / _BYTES is refused with the limit named (exit 2)', async () => {
  const members = Array.from({ length: 12 }, (_, i) => ({ name: `f${i}`, content: 'x'.repeat(100) }));
  const d = ctx('FROM scratch\nADD big.tar /opt/\n', { 'big.tar': tarball(members) });
  // A cache of its own per run: a layer cached by an earlier build would be no unpacking at all.
  const build = (cache: string, more: Record<string, string>) => runCli(['build', d, '-o', `oci:${join(d, 'out')}`, '--cache-dir', join(d, cache)], { ...env, ...more });
  const r = await build('c1', { PIPELINE_ADD_MAX_ENTRIES: '10' });
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /Dockerfile:2:1: ADD big\.tar: the archive has more than 10 members, the limit/);
  assert.match(r.stderr, /PIPELINE_ADD_MAX_ENTRIES/);
  const b = await build('c2', { PIPELINE_ADD_MAX_BYTES: '1000' });
  assert.is(b.code, 2, b.stderr);
  assert.match(b.stderr, /the archive unpacks to more than 1000 bytes, the limit/);
  const ok = await build('c3', {});
  assert.is(ok.code, 0, ok.stderr);
});

test('COPY --from leaves no unpacked root in TMPDIR', async () => {
  const tmp = join(work, 'tmpdir');
  mkdirSync(tmp);
  const d = ctx('FROM scratch AS a\nCOPY a /x\nFROM scratch\nCOPY --from=a /x /y\n');
  const r = await runCli(['build', d, '-o', `oci:${join(d, 'out')}`], { ...env, TMPDIR: tmp });
  assert.is(r.code, 0, r.stderr);
  assert.equal(readdirSync(tmp).filter((f) => f.startsWith('pipeline-from-')), []);
});

if (needs(test, 'registry')) {
  const reg = services().registries.anon.host;

  test('a COPY --from image that cannot be read names its line', async () => {
    const d = ctx('FROM scratch\nCOPY --from=127.0.0.1:1/nope/nothing:1 /x /x\n');
    const r = await runCli(['build', d, '-o', `oci:${join(d, 'out')}`], env);
    assert.ok(r.code !== 0);
    assert.match(r.stderr, /Dockerfile:2:\d+: /);
    noStack(r.stderr);
  });

  test('a FROM image used by several stages and COPY --from is read from the registry once', async () => {
    const proxy = await startFaultyProxy(reg);
    try {
      const base = `${proxy.host}/base/busybox:1.35.0`;
      const manifests = () => proxy.requests.filter((q) => /\/manifests\//.test(q.path)).length;
      const one = ctx(`FROM ${base}\nCOPY a /a\n`);
      assert.is((await runCli(['build', one, '-o', `oci:${join(one, 'out')}`, '--cache-dir', join(work, 'cache1')], env)).code, 0);
      const single = manifests();
      proxy.requests.length = 0;
      const three = ctx(`FROM ${base} AS a\nCOPY a /a\nFROM ${base} AS b\nCOPY --from=a /a /b\nCOPY --from=${base} /etc/passwd /p\n`);
      const r = await runCli(['build', three, '-o', `oci:${join(three, 'out')}`, '--cache-dir', join(work, 'cache2')], env);
      assert.is(r.code, 0, r.stderr);
      assert.is(manifests(), single, proxy.requests.map((q) => `${q.method} ${q.path}`).join('\n'));
    } finally {
      await proxy.close();
    }
  });

  test('a bad source on a later line fails before any blob is sent (--push)', async () => {
    const proxy = await startFaultyProxy(reg);
    try {
      const d = ctx('FROM scratch\nCOPY a /a\nCOPY a /b\nCOPY nosuch /c\n');
      const r = await runCli(['build', d, '--push', '--image', `${proxy.host}/conform-${randomBytes(3).toString('hex')}/app`, '-t', 'v1', '--cache-dir', join(work, 'cache3')], env);
      assert.is(r.code, 2, r.stderr);
      assert.match(r.stderr, /Dockerfile:4:\d+: .*"nosuch"/);
      assert.equal(proxy.requests.filter((q) => q.method !== 'GET' && q.method !== 'HEAD').map((q) => `${q.method} ${q.path}`), []);
    } finally {
      await proxy.close();
    }
  });

  test('FROM --platform picks that platform from a multi-platform base', async () => {
    // Two one-file images, amd64 and arm64, under one name in one OCI layout (an index of two).
    const layout = join(work, 'multi');
    const built: { digest: string; platform: string }[] = [];
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      const d = ctx(`FROM scratch\nCOPY a /${platform.split('/')[1]}\n`);
      const out = join(work, `single-${platform.split('/')[1]}`);
      const r = await runCli(['build', d, '--platform', platform, '-o', `oci:${out}`, '--json'], env);
      assert.is(r.code, 0, r.stderr);
      cpSync(out, layout, { recursive: true });
      built.push({ digest: (JSON.parse(r.stdout) as { digest: string }).digest, platform });
    }
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string; mediaType: string; size: number }[] };
    const bySize = new Map<string, { mediaType: string; size: number }>();
    for (const p of ['amd64', 'arm64']) for (const m of (JSON.parse(readFileSync(join(work, `single-${p}`, 'index.json'), 'utf8')) as typeof index).manifests) bySize.set(m.digest, m);
    index.manifests = built.map((b) => ({ ...bySize.get(b.digest)!, digest: b.digest, platform: { os: 'linux', architecture: b.platform.split('/')[1] }, annotations: { 'org.opencontainers.image.ref.name': 'multi' } }));
    writeFileSync(join(layout, 'index.json'), JSON.stringify(index));
    const d = ctx(`FROM --platform=linux/arm64 oci:${layout}:multi\nCOPY a /mine\n`);
    const r = await runCli(['build', d, '-o', `oci:${join(d, 'out')}`, '--json'], env);
    assert.is(r.code, 0, r.stderr);
    const out = JSON.parse(readFileSync(join(d, 'out', 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const manifest = JSON.parse(readFileSync(join(d, 'out', 'blobs', 'sha256', out.manifests[0].digest.slice(7)), 'utf8')) as { config: { digest: string } };
    const config = JSON.parse(readFileSync(join(d, 'out', 'blobs', 'sha256', manifest.config.digest.slice(7)), 'utf8')) as { architecture: string };
    assert.is(config.architecture, 'arm64');
  });
}

test.run();
