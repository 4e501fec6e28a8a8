// Start-up cost is part of every command's time (the one-file rebuild budget is 0.5 s): heavy
// dependencies that only some commands need (dockerode pulls in ssh2 and grpc: ~140 ms) must be
// loaded on first use, never by loading the CLI.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/pipeline.mjs', import.meta.url));
const meta = fileURLToPath(new URL('../dist/pipeline.meta.json', import.meta.url));
const heavy = ['dockerode', 'docker-modem', 'ssh2', '@grpc/grpc-js', 'simple-git', 'tar-stream', 'undici'];

test('the bundle has no top-level import of a heavy dependency', () => {
  assert.ok(existsSync(bundle), `${bundle} is built by npm ci / npm test`);
  const text = readFileSync(bundle, 'utf8');
  for (const name of heavy) assert.not.match(text, new RegExp(`^import [^;]*from ["']${name.replace('/', '\\/')}["']`, 'm'), `${name} imported at start-up`);
});

interface Meta { inputs: Record<string, { imports: { path: string; kind: string }[] }> }
const packageOf = (input: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];

/** Modules whose code runs when the bundle loads: reached from the entry by static imports and requires only. */
function startupModules(m: Meta): Set<string> {
  const entry = Object.keys(m.inputs).find((k) => k.endsWith('packages/cli/dist/main.js'))!;
  const seen = new Set<string>([entry]);
  const todo = [entry];
  while (todo.length) {
    for (const i of m.inputs[todo.pop()!]?.imports ?? []) {
      if (i.kind === 'dynamic-import' || seen.has(i.path)) continue;
      seen.add(i.path);
      todo.push(i.path);
    }
  }
  return seen;
}

test('no heavy dependency is bundled into start-up (only reached through import())', () => {
  const m = JSON.parse(readFileSync(meta, 'utf8')) as Meta;
  const modules = startupModules(m);
  const startup = [...modules].map(packageOf).filter(Boolean);
  const bundled = new Set(Object.keys(m.inputs).map(packageOf).filter(Boolean));
  for (const name of heavy) assert.not.ok(startup.includes(name), `${name} is bundled into start-up: import it with await import() where it is used`);
  // The analysis sees what it must: heavy modules that are bundled, and start-up's own dependencies.
  assert.ok(bundled.has('tar-stream') && bundled.has('simple-git'), 'tar-stream and simple-git are bundled (lazily)');
  assert.ok(modules.has('packages/core/dist/errors.js'), 'the entry statically reaches @pipeline/core');
});

test('loading the CLI and printing help loads none of them', () => {
  const script = `
    import { createRequire } from 'node:module';
    const { main } = await import(${JSON.stringify(bundle)});
    const log = console.log; console.log = () => {};
    await main(['--help']);
    console.log = log;
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify(${JSON.stringify(heavy)}.filter((n) => loaded.some((k) => k.includes('/node_modules/' + n + '/')))));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(JSON.parse(out.trim().split('\n').pop()!), []);
});

test.run();
