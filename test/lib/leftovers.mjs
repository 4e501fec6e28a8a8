// What an integration test file left on the shared engine: the services, containers, images, volumes and
// networks that appeared while it ran and are still there after it ended. Integration files run one at a
// time, so on a machine running one suite (CI) everything new belongs to that file. A full run once left
// ~470 images behind (62 GB on vfs, which copies every layer): the runner names each file's leftovers and,
// in CI, removes them, so a run never fills the disk of the machine after it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const KINDS = {
  service: ['service', 'ls', '-q'],
  container: ['ps', '-aq', '--no-trunc'],
  image: ['images', '-aq', '--no-trunc'],
  volume: ['volume', 'ls', '-q'],
  network: ['network', 'ls', '-q', '--no-trunc'],
};
/** Made by test/services/start for every test; never a leftover. */
const KEEP_IMAGES = /^pipeline-test\//;

async function list(args) {
  try {
    const { stdout } = await run('docker', args, { timeout: 30_000 });
    return new Set(stdout.split('\n').filter(Boolean));
  } catch {
    return new Set(); // no engine (a unit-only run): nothing to account for
  }
}

/** The engine's objects now, by kind. */
export async function snapshot() {
  const entries = await Promise.all(Object.entries(KINDS).map(async ([k, args]) => [k, await list(args)]));
  return Object.fromEntries(entries);
}

async function keptImages() {
  try {
    const { stdout } = await run('docker', ['images', '--format', '{{.Repository}} {{.ID}}', '--no-trunc'], { timeout: 30_000 });
    return new Set(stdout.split('\n').filter((l) => KEEP_IMAGES.test(l)).map((l) => l.split(' ')[1]));
  } catch {
    return new Set();
  }
}

/** What appeared since `before` and is still there: { kind: [id…] }, only kinds with any. */
export async function leftovers(before) {
  const now = await snapshot();
  const keep = await keptImages();
  const out = {};
  for (const k of Object.keys(KINDS)) {
    const added = [...now[k]].filter((id) => !before[k].has(id) && !(k === 'image' && keep.has(id)));
    if (added.length) out[k] = added;
  }
  return out;
}

export const describe = (left) => Object.entries(left).map(([k, ids]) => `${ids.length} ${k}${ids.length > 1 ? 's' : ''}`).join(', ');

/** Removes them: services first (their tasks' containers go with them), then containers, images, volumes, networks. */
export async function remove(left) {
  const rm = (args) => run('docker', args, { timeout: 120_000 }).catch(() => undefined);
  if (left.service) {
    await rm(['service', 'rm', ...left.service]);
    await new Promise((r) => setTimeout(r, 2000)); // tasks stop in the background
  }
  if (left.container) await rm(['rm', '-f', '-v', ...left.container]); // one already gone fails alone
  if (left.image) await rm(['rmi', '-f', ...left.image]);
  if (left.volume) await rm(['volume', 'rm', '-f', ...left.volume]);
  if (left.network) await rm(['network', 'rm', ...left.network]);
}
