// ADD from a URL (a loopback server here): verified against --checksum, stored, and not fetched again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { runCli } from '../../../test/lib/cli.js';

const body = 'remote content\n';
let hits = 0;
const server = createServer((req, res) => {
  hits++;
  if (req.url === '/tool.txt') return res.end(body);
  res.statusCode = 404;
  res.end();
});
const dir = mkdtempSync(join(tmpdir(), 'pipeline-add-url-'));
test.before(() => new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r())));
test.after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});
const url = (p: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${p}`;
const sum = `sha256:${createHash('sha256').update(body).digest('hex')}`;

test('ADD <url> --checksum: the file lands with mode 0600; a second build does not download again', async () => {
  writeFileSync(join(dir, 'Dockerfile'), `FROM scratch\nADD --checksum=${sum} ${url('/tool.txt')} /opt/\n`);
  const out = join(dir, 'oci');
  const r = await runCli(['build', dir, '-o', `oci:${out}`, '--cache-dir', join(dir, 'cache')], { SOURCE_DATE_EPOCH: '0' });
  assert.is(r.code, 0, r.stderr);
  assert.is(hits, 1);
  execFileSync('umoci', ['unpack', '--rootless', '--image', `${out}:latest`, join(dir, 'b')], { stdio: 'ignore' });
  const ls = execFileSync('find', [join(dir, 'b/rootfs/opt/tool.txt'), '-printf', '%m %s'], { encoding: 'utf8' });
  assert.is(ls, `600 ${body.length}`);
  const again = await runCli(['build', dir, '-o', `oci:${out}`, '--cache-dir', join(dir, 'cache')], { SOURCE_DATE_EPOCH: '0' });
  assert.is(again.code, 0, again.stderr);
  assert.is(hits, 1, 'served from the store');
});

test('a checksum mismatch or a 404 is a positioned error, exit 2', async () => {
  writeFileSync(join(dir, 'Dockerfile'), `FROM scratch\nADD --checksum=sha256:${'0'.repeat(64)} ${url('/tool.txt')} /opt/\n`);
  const bad = await runCli(['build', dir, '--cache-dir', join(dir, 'cache2')], { SOURCE_DATE_EPOCH: '0' });
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /Dockerfile:2:1: ADD .* checksum mismatch/);
  writeFileSync(join(dir, 'Dockerfile'), `FROM scratch\nADD ${url('/missing')} /opt/\n`);
  const missing = await runCli(['build', dir, '--cache-dir', join(dir, 'cache2')], { SOURCE_DATE_EPOCH: '0' });
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /answered 404/);
});

test.run();
