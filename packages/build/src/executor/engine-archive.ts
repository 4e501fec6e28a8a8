import { PassThrough, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { digestHex } from '@pipeline/core';
import { configBlob, type Image } from '../model/image.js';

/**
 * Streams a `docker load` archive of the build's current state straight to the engine (no temp
 * file): manifest.json, the config and the layers. Layers whose chain the engine already holds
 * (`skip`: how many bottom layers) are named but not sent: `docker load` takes a layer it has by
 * its chain and reads the file only for the others (moby image/tarexport/load.go).
 */
export async function writeDockerArchiveTo(image: Image, out: Writable, skip = 0): Promise<void> {
  const config = configBlob(image, 'docker');
  const path = (d: string) => `blobs/sha256/${digestHex(d as `sha256:${string}`)}`;
  const manifest = [{ Config: path(config.digest), RepoTags: [], Layers: image.layers.map((l) => path(l.digest)) }];
  const pack = tar.pack();
  const done = pipeline(pack, out);
  const header = (name: string, size: number) => ({ name, size, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 });
  try {
    const small: [string, Buffer][] = [['manifest.json', Buffer.from(JSON.stringify(manifest))], [path(config.digest), config.bytes]];
    for (const [name, bytes] of small) pack.entry(header(name, bytes.length), bytes);
    const sent = new Set<string>();
    for (const layer of image.layers.slice(skip)) {
      if (sent.has(layer.digest)) continue;
      sent.add(layer.digest);
      const entry = pack.entry(header(path(layer.digest), layer.size));
      await pipeline(await layer.open(), entry);
    }
    pack.finalize();
    await done;
  } catch (e) {
    pack.destroy(e as Error);
    await done.catch(() => {});
    throw e;
  }
}

/** `docker load` of the image, streamed; `skip` bottom layers the engine holds are not sent. Fails with the engine's own message. */
export async function loadIntoEngine(docker: Docker, image: Image, skip = 0): Promise<void> {
  const body = new PassThrough();
  const written = writeDockerArchiveTo(image, body, skip).catch((e: Error) => {
    body.destroy(e);
    throw e;
  });
  written.catch(() => {});
  const res = (await docker.loadImage(body, { quiet: true })) as unknown as Readable;
  await new Promise<void>((ok, fail) =>
    docker.modem.followProgress(res, (err: Error | null, out: { error?: string }[]) => {
      const bad = out?.find((x) => x.error);
      if (err || bad) fail(err ?? new Error(bad!.error));
      else ok();
    }),
  );
  await written;
}
