// Registry faults a user cannot fix: the registry restarts mid-push (connection refused for a few
// seconds), a manifest body is cut off while reading FROM. Both are retried, and the result is
// read back from the registry itself. The restarted registry is our own process on a free port.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { parseReference, sha256 } from '@pipeline/core';
import { appendLayers, emptyImage, MediaType, type Layer } from '../../packages/build/src/model/index.js';
import { MANIFEST_ACCEPT, pushImage, RegistryClient } from '../../packages/build/src/registry/index.js';
import { tarOf } from '../../packages/build/test/registry/helpers.js';
import { runCli } from '../lib/cli.js';
import { startFaultyProxy } from '../lib/faulty-proxy.js';
import { startOwnRegistry } from '../lib/own-registry.js';
import { needs, services } from '../lib/services.js';
import { tempDir } from '../lib/tmp.js';

/** The registry's whole answer, head and body as sent (latin1), over one plain connection. */
function rawGet(host: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const [h, port] = [host.slice(0, host.lastIndexOf(':')), Number(host.slice(host.lastIndexOf(':') + 1))];
    const sock = connect(port, h, () => sock.end(`GET ${path} HTTP/1.1\r\nhost: ${host}\r\naccept: ${MANIFEST_ACCEPT}\r\nconnection: close\r\n\r\n`));
    let out = '';
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => (out += d));
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
    sock.setTimeout(10_000, () => sock.destroy(new Error('no answer in 10 s')));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const skopeo = (...args: string[]) => execFileSync('skopeo', args, { encoding: 'utf8', timeout: 120_000 });

if (needs(test, 'registry')) {
  const work = tempDir('hostile-input-faults-');

  test('a push survives a registry restart (refused for ~2 s after its first answers): exit 0, image complete', async () => {
    const reg = await startOwnRegistry();
    try {
      const ctx = join(work, 'restart-ctx');
      mkdirSync(ctx, { recursive: true });
      for (const f of ['a', 'b', 'c']) writeFileSync(join(ctx, f), randomBytes(1024 * 1024));
      writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY a /a\nCOPY b /b\nCOPY c /c\n');
      // Kill the registry once it has answered a few requests (mid-push), bring it back 1.5 s later.
      let restarted = -1;
      const outage = reg.afterRequests(4).then(async () => {
        await reg.kill();
        await sleep(1500);
        await reg.start();
        restarted = reg.requests;
      });
      const r = await runCli(['build', ctx, '--push', '--image', `${reg.host}/hostile/restart`, '--tag', 'ok', '--cache-dir', join(work, 'cache'), '--json'], { SOURCE_DATE_EPOCH: '0' });
      await outage;
      assert.is(r.code, 0, r.stderr);
      assert.ok(restarted >= 1 && reg.requests > restarted, `the push went on after the restart (${restarted} requests before, ${reg.requests} in all)`);
      const pushed = JSON.parse(r.stdout) as { digest: string };
      const inspect = JSON.parse(skopeo('inspect', '--tls-verify=false', `docker://${reg.host}/hostile/restart:ok`)) as { Digest: string; Layers: string[] };
      assert.is(inspect.Digest, pushed.digest);
      assert.is(inspect.Layers.length, 3);
      skopeo('copy', '-q', '--src-tls-verify=false', `docker://${reg.host}/hostile/restart:ok`, `oci:${join(work, 'restart-copy')}:x`); // every blob re-hashed
    } finally {
      await reg.close();
    }
  });

  test('a blob upload cut mid-body by a registry kill restarts once the registry is back', async () => {
    const reg = await startOwnRegistry();
    try {
      const tar = await tarOf({ 'big.bin': randomBytes(1024 * 1024) });
      const gz = gzipSync(tar, { level: 0 });
      let pieces = 0;
      let opens = 0;
      let killed: Promise<void> | undefined;
      // Streams slowly, so the kill lands in the middle of the PUT's body.
      const layer: Layer = {
        digest: sha256(gz), diffId: sha256(tar), size: gz.length, mediaType: MediaType.ociLayerGzip,
        async open() {
          opens++;
          return Readable.from((async function* () {
            for (let i = 0; i < gz.length; i += 32 * 1024) {
              if (++pieces === 8) killed = reg.kill().then(() => sleep(1000)).then(() => reg.start());
              await sleep(opens === 1 ? 25 : 0);
              yield gz.subarray(i, i + 32 * 1024);
            }
          })());
        },
      };
      const image = appendLayers(emptyImage(), [layer], [{ created_by: 'big', created: '1970-01-01T00:00:00Z' }]);
      const client = new RegistryClient(reg.host, { env: { DOCKER_CONFIG: '/nonexistent' } }); // the default retry policy
      const r = await pushImage(client, image, parseReference(`${reg.host}/hostile/midbody:ok`));
      await killed;
      assert.ok(opens >= 2, `the layer was reopened for a fresh upload (${opens} opens)`);
      const inspect = JSON.parse(skopeo('inspect', '--tls-verify=false', `docker://${reg.host}/hostile/midbody:ok`)) as { Digest: string };
      assert.is(inspect.Digest, r.digest);
      skopeo('copy', '-q', '--src-tls-verify=false', `docker://${reg.host}/hostile/midbody:ok`, `oci:${join(work, 'midbody-copy')}:x`);
    } finally {
      await reg.close();
    }
  });

  test('a manifest body cut off while reading FROM is retried: the build succeeds (was "internal error: TypeError: terminated")', async () => {
    const busybox = parseReference(services().images.busybox);
    // Cut in the middle of the body, not in the headers (that is a failed request, retried before too).
    const raw = await rawGet(busybox.registry, `/v2/${busybox.repository}/manifests/${busybox.tag}`);
    const head = raw.indexOf('\r\n\r\n') + 4;
    assert.ok(raw.length - head > 100, 'a manifest body to cut');
    const proxy = await startFaultyProxy(busybox.registry, [{ method: 'GET', path: /\/manifests\//, nth: [1], fault: { kind: 'cut-response', afterBytes: head + 50 } }]);
    try {
      const ctx = join(work, 'from-ctx');
      mkdirSync(ctx, { recursive: true });
      writeFileSync(join(ctx, 'Dockerfile'), `FROM ${proxy.host}/${busybox.repository}:${busybox.tag}\nENV X=1\n`);
      const r = await runCli(['build', ctx, '-o', `oci:${join(work, 'from-out')}`, '--cache-dir', join(work, 'cache')], { SOURCE_DATE_EPOCH: '0' });
      assert.is(r.code, 0, r.stderr);
      assert.ok(proxy.requests.some((q) => q.fault === 'cut-response'), 'the cut happened');
      assert.ok(proxy.requests.filter((q) => q.method === 'GET' && /\/manifests\//.test(q.path)).length >= 2, 'and the manifest was asked for again');
      // The same through the SSL_CERT_FILE client (undici's own Agent), blobs streamed over `Connection: close`:
      // undici 6.29 killed the process with an assertion here.
      const ca = join(work, 'some-ca.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(work, 'some-ca.key'), '-out', ca, '-days', '1', '-subj', '/CN=hostile-input'], { stdio: 'ignore' });
      const viaAgent = await runCli(['build', ctx, '-o', `oci:${join(work, 'from-out-2')}`, '--cache-dir', join(work, 'cache-agent')], { SOURCE_DATE_EPOCH: '0', SSL_CERT_FILE: ca, NODE_EXTRA_CA_CERTS: '' });
      assert.is(viaAgent.code, 0, viaAgent.stderr);
    } finally {
      await proxy.close();
    }
  });
}

test.run();
