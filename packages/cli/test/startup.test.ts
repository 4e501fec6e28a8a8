// Start-up cost is part of every command's time (the one-file rebuild budget is 0.5 s): heavy
// dependencies that only some commands need (dockerode pulls in ssh2 and grpc: ~140 ms) must be
// loaded on first use, never by loading the CLI.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/pipeline.mjs', import.meta.url));
const heavy = ['dockerode', 'docker-modem', 'ssh2', '@grpc/grpc-js', 'simple-git', 'tar-stream'];

test('the bundle has no top-level import of a heavy dependency', () => {
  assert.ok(existsSync(bundle), `${bundle} is built by npm ci / npm test`);
  const text = readFileSync(bundle, 'utf8');
  for (const name of heavy) assert.not.match(text, new RegExp(`^import [^;]*from ["']${name.replace('/', '\\/')}["']`, 'm'), `${name} imported at start-up`);
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
