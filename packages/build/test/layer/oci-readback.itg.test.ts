// The multi-member gzip layers read back by real OCI tools: umoci unpacks them (verifying
// digests and diff IDs), skopeo copies the layout (verifying blob digests).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes, createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile, mkdir, stat, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { writeLayer } from '../../src/layer/index.js';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function putBlob(dir: string, data: string): Promise<{ digest: string; size: number }> {
  const h = sha(data);
  await writeFile(join(dir, 'blobs/sha256', h), data);
  return { digest: `sha256:${h}`, size: Buffer.byteLength(data) };
}

test('umoci unpack and skopeo copy accept a multi-member gzip layer', async () => {
  const missing = [];
  for (const t of ['umoci', 'skopeo']) if ((await execa('which', [t], { reject: false })).exitCode !== 0) missing.push(t);
  if (missing.length) {
    if (process.env.CI === 'true') assert.unreachable(`missing ${missing.join(', ')} (CI=true: required)`);
    console.log(`skip: ${missing.join(', ')} not installed`);
    return;
  }
  const layout = await mkdtemp(join(tmpdir(), 'oci-'));
  await mkdir(join(layout, 'blobs/sha256'), { recursive: true });
  const big = randomBytes(5 << 20);
  const src = await mkdtemp(join(tmpdir(), 'src-'));
  await writeFile(join(src, 'big'), big);
  const w = await writeLayer(
    [
      { path: 'data/big', source: { kind: 'file', path: join(src, 'big'), size: big.length, linkKey: 'k' } },
      { path: 'data/big-hard', source: { kind: 'file', path: join(src, 'big'), size: big.length, linkKey: 'k' } },
      { path: 'data/link', source: { kind: 'symlink', target: 'big' } },
    ],
    { store: layout, epoch: 1700000000, chunkSize: 1 << 20 },
  );
  const config = await putBlob(layout, JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [w.layer.diffId] } }));
  const manifest = await putBlob(
    layout,
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers: [{ mediaType: w.layer.mediaType, digest: w.layer.digest, size: w.layer.size }] }),
  );
  await writeFile(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 't' } }] }));

  const bundle = join(await mkdtemp(join(tmpdir(), 'bundle-')), 'b');
  await execa('umoci', ['unpack', '--rootless', '--image', `${layout}:t`, bundle]);
  const got = await readFile(join(bundle, 'rootfs/data/big'));
  assert.is(sha(got), sha(big));
  assert.is((await stat(join(bundle, 'rootfs/data/big-hard'))).ino, (await stat(join(bundle, 'rootfs/data/big'))).ino);
  assert.is(await readlink(join(bundle, 'rootfs/data/link')), 'big');

  const copy = await mkdtemp(join(tmpdir(), 'copy-'));
  await execa('skopeo', ['copy', '--quiet', `oci:${layout}:t`, `dir:${copy}`]);
  assert.is(sha(await readFile(join(copy, w.layer.digest.slice(7)))), w.layer.digest.slice(7));
});

test.run();
