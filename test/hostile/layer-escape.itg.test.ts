// Hostile layers (test/hostile/layer-tars.ts) through every route that puts an image's layers on
// this machine's disk, with the real binary: a stage that ADDs the tars then COPY --from of it; a
// registry image COPY --from'ed; the same image as a FROM base with a RUN under --executor chroot
// and --executor engine. Whatever the outcome (built, or refused as bad input), nothing appears in
// the host directory the links aim at, the host secret never enters an image, and no build ends
// with an internal error. The full table runs against unpackImage in
// packages/build/test/executor/unpack-hostile.test.ts; here a representative set per route.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { needs, services } from '../lib/services.js';
import { runCli } from '../lib/cli.js';
import { tempDir } from '../lib/tmp.js';
import { HOSTILE_CASES, hostState, makeHost, tarOf, type Host, type HostileCase } from './layer-tars.js';

const ROUTES = ['stage', 'registry', 'from-chroot', 'from-engine'] as const;
const PICKED = ['absolute-link-escape', 'relative-link-escape', 'hardlink-leak', 'hardlink-leak-existing', 'whiteout-through-link', 'opaque-through-link', 'link-dir-link', 'file-over-host-link', 'devices-and-fifo'];

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Pushes busybox + the case's layers (uncompressed tars, as they are) to the anonymous registry; its reference. */
function pushHostileImage(dir: string, repo: string, layers: Buffer[]): string {
  const layout = join(dir, 'layout');
  cpSync(services().images.ociBusybox.replace(/:[^:/]*$/, ''), layout, { recursive: true });
  const blob = (b: Buffer) => (writeFileSync(join(layout, 'blobs/sha256', sha(b)), b), `sha256:${sha(b)}`);
  const read = (d: string) => JSON.parse(readFileSync(join(layout, 'blobs/sha256', d.slice(7)), 'utf8'));
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
  const manifest = read(index.manifests[0].digest);
  const config = read(manifest.config.digest);
  for (const l of layers) {
    const d = blob(l);
    manifest.layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: d, size: l.length });
    config.rootfs.diff_ids.push(d);
    config.history = [...(config.history ?? []), { created_by: 'hostile layer' }];
  }
  const c = Buffer.from(JSON.stringify(config));
  manifest.config = { ...manifest.config, digest: blob(c), size: c.length };
  const m = Buffer.from(JSON.stringify(manifest));
  index.manifests = [{ mediaType: manifest.mediaType ?? 'application/vnd.oci.image.manifest.v1+json', digest: blob(m), size: m.length }];
  writeFileSync(join(layout, 'index.json'), JSON.stringify(index));
  const ref = `${services().registries.anon.host}/${repo}:1`;
  execFileSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}`, `docker://${ref}`], { stdio: 'ignore', timeout: 120_000 });
  return ref;
}

/** Whether any layer of an OCI layout holds the host's secret token. */
function layoutHolds(layout: string, token: string): boolean {
  const blobs = join(layout, 'blobs/sha256');
  for (const f of readdirSync(blobs)) {
    let b = readFileSync(join(blobs, f));
    if (b[0] === 0x1f && b[1] === 0x8b) b = gunzipSync(b);
    if (b.includes(token)) return true;
  }
  return false;
}

function dockerfileFor(route: (typeof ROUTES)[number], c: HostileCase, h: Host, ref: string | undefined, n: number): string {
  const bb = services().images.busybox;
  if (route === 'stage') return [`FROM scratch AS evil`, ...Array.from({ length: n }, (_, i) => `ADD l${i}.tar /`), `FROM ${bb}`, 'COPY --from=evil / /evil/', ''].join('\n');
  if (route === 'registry') return [`FROM ${bb}`, `COPY --from=${ref} / /evil/`, ''].join('\n');
  // A step that looks where the links point, as a user's RUN would, and keeps what it found.
  return [`FROM ${ref}`, `RUN ls -la / > /listing.txt; cat ${JSON.stringify(`${h.sentinel}/victim`)} ${JSON.stringify(h.secret)} > /found.txt 2>&1; echo ${c.name}`, ''].join('\n');
}

if (needs(test, 'docker', 'registry', 'images')) {
  const work = tempDir('run-exec-hostile-');

  for (const c of HOSTILE_CASES.filter((x) => PICKED.includes(x.name))) {
    test(`hostile layers through every route: ${c.name} (${c.attack})`, async () => {
      const dir = join(work, c.name);
      const host = makeHost(join(dir, 'host'));
      const before = hostState(host);
      const layers = await Promise.all(c.layers(host).map(tarOf));
      const ref = pushHostileImage(dir, `run-exec-hostile-${process.pid}/${c.name}`, layers);
      const outcome: string[] = [];
      for (const route of ROUTES) {
        const ctx = join(dir, route);
        mkdirSync(ctx, { recursive: true });
        layers.forEach((l, i) => writeFileSync(join(ctx, `l${i}.tar`), l));
        writeFileSync(join(ctx, 'Dockerfile'), dockerfileFor(route, c, host, ref, layers.length));
        const executor = route === 'from-engine' ? 'engine' : 'chroot';
        const out = join(ctx, 'out');
        const r = await runCli(['build', ctx, '--executor', executor, '--no-cache', '--cache-dir', join(work, 'cache'), '-o', `oci:${out}`]);
        outcome.push(`${route}: exit ${r.code}`);
        assert.ok(r.code === 0 || r.code === 2, `${route}: exit ${r.code}, expected built (0) or refused as bad input (2): ${r.stderr}`);
        assert.not.match(r.stderr, /internal error|\n\s+at [^\n]+\(/, `${route}: ${r.stderr}`);
        if (r.code === 2) assert.match(r.stderr, /Dockerfile:\d+/, `${route}: the refusal names the Dockerfile line: ${r.stderr}`);
        if (r.code === 0) assert.not.ok(layoutHolds(out, host.token), `${route}: the image holds the host secret`);
        assert.fixture(hostState(host), before, `${route}: the host directory changed`);
      }
      console.log(`  ${c.name}: ${outcome.join(', ')}`);
    });
  }
}

test.run();
