// What the filesystem index of a registry base costs on a cold cache: the base's layers streamed
// from the registry once and their tar headers read (COPY's destination rules need the base's
// paths, modes and owners). Prints one JSON line: seconds, bytes read, entries, peak RSS.
// Run: node --import tsx bench/base-index.mjs [REF]   (default 127.0.0.1:5000/base/node:20)
import { Transform } from 'node:stream';
import { parseReference } from '../packages/core/src/index.ts';
import { registryReader } from '../packages/build/src/sources/registry-reader.ts';
import { imageIndex } from '../packages/build/src/layer/layer-index.ts';

const ref = process.argv[2] ?? '127.0.0.1:5000/base/node:20';
const { image } = await registryReader({})(parseReference(ref));
let bytes = 0;
const count = () => new Transform({ transform: (c, _e, cb) => ((bytes += c.length), cb(null, c)) });
const layers = image.layers.map((l) => ({ ...l, open: async () => (await l.open()).pipe(count()) }));
const t = performance.now();
const fs = await imageIndex({ ...image, layers });
const seconds = (performance.now() - t) / 1000;
console.log(JSON.stringify({ ref, layers: layers.length, compressedBytes: image.layers.reduce((n, l) => n + l.size, 0), bytesRead: bytes, entries: fs.size, seconds: +seconds.toFixed(3), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));
