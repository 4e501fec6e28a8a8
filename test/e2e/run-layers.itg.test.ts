// RUN layers compared with BuildKit's, layer by layer (the conformance suite compares the resulting
// filesystems; this compares what each RUN's layer holds): the engine's BuildKit builds the
// Dockerfile, `docker save` gives its layers; pipeline builds it with each executor to an OCI layout.
// Every RUN layer must name the same entries with the same type, mode, owner, size and link target
// (whiteouts included; mtimes aside). Also the case the conformance suite cannot see through an
// export: a new hard link to a file the step did not change is a plain file in both layers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { needs, services } from '../lib/services.js';
import { runCli } from '../lib/cli.js';
import { tempDir } from '../lib/tmp.js';
import { docker } from '../conformance/engine.js';

const STEPS = [
  'RUN true',
  'RUN ln /bin/busybox /bin/bb-hard',
  'RUN rm /etc/group && rm -rf /usr/sbin',
  'RUN chmod 0600 /etc/passwd && chown 1000:1000 /tmp',
  'RUN mkdir -p /a/b && echo x > /a/b/c && rm -rf /root && ln -s /a /root && echo y > /a/b/c2 && ln /a/b/c2 /a/c2-hard',
  'RUN echo more >> /a/b/c',
];

/**
 * A layer's entries as lines: name type mode uid:gid size link (sorted; tar order differs between
 * writers). What carries no meaning is left out: a whiteout's own mode (Docker writes 0, pipeline
 * 0644) and a leading `/` on a hard link's target (Docker writes `/a/b`, pipeline `a/b`: both name
 * the same entry from the root).
 */
async function entries(blob: Buffer): Promise<string[]> {
  const raw = blob[0] === 0x1f && blob[1] === 0x8b ? gunzipSync(blob) : blob;
  const rows: string[] = [];
  const ex = tar.extract();
  ex.on('entry', (h, s, next) => {
    const name = h.name.replace(/^\.?\/+/, '').replace(/\/+$/, '');
    const whiteout = name.split('/').pop()!.startsWith('.wh.');
    const mode = whiteout ? '-' : ((h.mode ?? 0) & 0o7777).toString(8);
    const link = h.type === 'link' ? (h.linkname ?? '').replace(/^\/+/, '') : (h.linkname ?? '');
    if (name) rows.push(`${name} ${h.type} ${mode} ${h.uid}:${h.gid} ${h.type === 'file' ? h.size : ''} ${link}`.trimEnd());
    s.on('end', next);
    s.resume();
  });
  await new Promise<void>((ok, fail) => (ex.on('finish', ok), ex.on('error', fail), ex.end(raw)));
  return rows.sort();
}

/** The layers an image adds over its base (`skip` base layers), each as its entries. */
async function dockerLayers(image: string, dir: string, skip: number): Promise<string[][]> {
  await docker(['save', '-o', join(dir, 'docker.tar'), image]);
  mkdirSync(join(dir, 'docker'));
  execFileSync('tar', ['-xf', join(dir, 'docker.tar'), '-C', join(dir, 'docker')]);
  const [m] = JSON.parse(readFileSync(join(dir, 'docker/manifest.json'), 'utf8')) as { Layers: string[] }[];
  return Promise.all(m.Layers.slice(skip).map((l) => entries(readFileSync(join(dir, 'docker', l)))));
}

async function ociLayers(layout: string, skip: number): Promise<string[][]> {
  const blob = (d: string) => readFileSync(join(layout, 'blobs/sha256', d.replace('sha256:', '')));
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const manifest = JSON.parse(blob(index.manifests[0].digest).toString()) as { layers: { digest: string }[] };
  return Promise.all(manifest.layers.slice(skip).map((l) => entries(blob(l.digest))));
}

if (needs(test, 'docker', 'registry', 'images')) {
  const work = tempDir('run-layers-');
  const image = `run-exec-layers-${process.pid}:docker`;
  test.after(async () => void (await docker(['rmi', '-f', image], { reject: false })));

  test('each RUN layer holds what BuildKit\'s holds, both executors', async () => {
    const ctx = join(work, 'ctx');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'Dockerfile'), [`FROM ${services().images.busybox}`, ...STEPS, ''].join('\n'));
    const d = await docker(['build', '-q', '--network', 'none', '-t', image, ctx], { reject: false });
    assert.is(d.exitCode, 0, String(d.stderr));
    const reference = await dockerLayers(image, work, 1);
    assert.ok(reference.length >= 4, `BuildKit made ${reference.length} layers`);
    for (const ex of ['engine', 'chroot']) {
      const out = join(work, `oci-${ex}`);
      const r = await runCli(['build', ctx, '--executor', ex, '--no-cache', '--cache-dir', join(work, 'cache'), '-o', `oci:${out}`]);
      assert.is(r.code, 0, r.stderr);
      assert.equal(await ociLayers(out, 1), reference, `${ex}: the RUN layers`);
    }
  });

  // Many run pipeline as themselves, in the docker group: the step's owners must still be the step's.
  const dockerGid = spawnSync('getent', ['group', 'docker'], { encoding: 'utf8' }).stdout.split(':')[2];
  if (process.getuid?.() === 0 && dockerGid) {
    test('engine executor run by a non-root user in the docker group: owners are the step\'s, not the user\'s', async () => {
      const dir = join(work, 'nonroot');
      mkdirSync(join(dir, 'ctx'), { recursive: true });
      chmodSync(work, 0o755);
      chmodSync(dir, 0o777);
      writeFileSync(join(dir, 'ctx/Dockerfile'), `FROM ${services().images.busybox}\nRUN mkdir -p /srv/app && touch /srv/app/f /root-owned && chown -R 1234:5678 /srv/app\n`);
      const bin = fileURLToPath(new URL('../../packages/cli/bin/pipeline.js', import.meta.url));
      const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', `--groups=${dockerGid}`, '--', process.execPath, bin, 'build', join(dir, 'ctx'), '--executor', 'engine', '--no-cache', '--cache-dir', join(dir, 'cache'), '-o', `oci:${join(dir, 'out')}`], { encoding: 'utf8', env: { ...process.env, HOME: dir } });
      assert.is(r.status, 0, r.stderr);
      const [layer] = await ociLayers(join(dir, 'out'), 1);
      assert.ok(layer.includes('srv/app directory 755 1234:5678'), layer.join('\n'));
      assert.ok(layer.includes('srv/app/f file 644 1234:5678 0'), layer.join('\n'));
      assert.ok(layer.includes('root-owned file 644 0:0 0'), layer.join('\n'));
    });
  }
}

test.run();
