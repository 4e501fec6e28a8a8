// What is compared of an image: its filesystem as the engine exports it from a container
// (`docker create` + `docker export`, so whiteouts, links and the base are applied by the engine
// itself) and the fields of its config that a Dockerfile sets.
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { docker } from './engine.js';

export interface FsEntry {
  type: string;
  mode: string;
  owner: string;
  size: number;
  link?: string;
  sha256?: string;
}

export interface Snapshot {
  fs: Map<string, FsEntry>;
  config: Record<string, unknown>;
}

/** The config fields a Dockerfile sets (and their inheritance from the base). */
export const CONFIG_FIELDS = ['Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'User', 'ExposedPorts', 'Volumes', 'Labels', 'StopSignal', 'Healthcheck', 'Shell', 'OnBuild'] as const;

/** Labels pipeline adds itself (from git, --label): not the Dockerfile's. */
const OWN_LABEL = /^org\.opencontainers\.image\.(revision|created|source|version|url|title|base\.name|base\.digest)$/;

function configOf(inspect: { Config?: Record<string, unknown>; Os?: string; Architecture?: string }, dropOwnLabels: boolean): Record<string, unknown> {
  const c = inspect.Config ?? {};
  const out: Record<string, unknown> = { Os: inspect.Os, Architecture: inspect.Architecture };
  for (const k of CONFIG_FIELDS) {
    let v = c[k];
    if (k === 'Labels' && v && dropOwnLabels) v = Object.fromEntries(Object.entries(v as Record<string, string>).filter(([l]) => !OWN_LABEL.test(l)));
    // Absent, null and an empty map say the same thing to the engine.
    if (v === null || v === undefined || v === '' || (typeof v === 'object' && !Array.isArray(v) && !Object.keys(v as object).length)) continue;
    out[k] = v;
  }
  return out;
}

const TYPES: Record<string, string> = { file: 'file', 'contiguous-file': 'file', directory: 'dir', symlink: 'symlink', link: 'hardlink', 'character-device': 'char', 'block-device': 'block', fifo: 'fifo' };

async function exportFs(containerId: string): Promise<Map<string, FsEntry>> {
  const out = new Map<string, FsEntry>();
  const extract = tar.extract();
  extract.on('entry', (h, stream, next) => {
    const path = `/${h.name.replace(/^\.?\/+/, '').replace(/\/+$/, '')}`;
    const e: FsEntry = { type: TYPES[h.type ?? 'file'] ?? String(h.type), mode: ((h.mode ?? 0) & 0o7777).toString(8).padStart(4, '0'), owner: `${h.uid}:${h.gid}`, size: h.size ?? 0 };
    if (h.linkname) e.link = h.type === 'link' ? `/${h.linkname.replace(/^\.?\/+/, '')}` : h.linkname;
    if (e.type !== 'file') {
      out.set(path, e);
      stream.on('end', next);
      stream.resume();
      return;
    }
    const hash = createHash('sha256');
    stream.on('data', (c: unknown) => hash.update(c as Buffer));
    stream.on('end', () => {
      e.sha256 = hash.digest('hex').slice(0, 16);
      out.set(path, e);
      next();
    });
  });
  const child = docker(['export', containerId], { buffer: false });
  await Promise.all([pipeline(child.stdout!, extract), child]);
  return out;
}

/** Snapshot of an image in the engine; the container made to export it is removed again. */
export async function snapshot(image: string, opts: { dropOwnLabels: boolean }): Promise<Snapshot> {
  const [inspect] = JSON.parse(String((await docker(['image', 'inspect', image])).stdout)) as { Config?: Record<string, unknown> }[];
  const id = String((await docker(['create', '--network', 'none', image, '/conformance-never-runs'])).stdout).trim();
  try {
    return { fs: await exportFs(id), config: configOf(inspect, opts.dropOwnLabels) };
  } finally {
    await docker(['rm', '-f', '-v', id], { reject: false });
  }
}

