// Starts three real registries (Debian's docker-registry, distribution 2.8) and a token server,
// each only when its port does not answer yet; writes services.json with the endpoints.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const state = process.argv[2];
const here = fileURLToPath(new URL('.', import.meta.url));
const USER = 'pipeline';
const PASSWORD = 'pipeline-secret';

async function answers(url) {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return r.status;
  } catch {
    return 0;
  }
}

async function waitFor(url, what) {
  for (let i = 0; i < 100; i++) {
    if (await answers(url)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer at ${url} in 10 s (see ${state}/${what}.log)`);
}

function daemon(name, cmd, args, env = {}) {
  const out = openSync(join(state, `${name}.log`), 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out], env: { ...process.env, ...env } });
  writeFileSync(join(state, `${name}.pid`), String(child.pid));
  child.unref();
}

function registryConfig(name, port, auth) {
  const dir = join(state, `registry-${name}`);
  mkdirSync(dir, { recursive: true });
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${dir}/data`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  headers:',
    '    X-Content-Type-Options: [nosniff]',
    ...auth,
  ];
  writeFileSync(join(dir, 'config.yml'), lines.join('\n') + '\n');
  return join(dir, 'config.yml');
}

// htpasswd (bcrypt, as distribution requires)
const htpasswd = join(state, 'htpasswd');
if (!existsSync(htpasswd)) writeFileSync(htpasswd, execFileSync('htpasswd', ['-Bbn', USER, PASSWORD]).toString().trim() + '\n');

// Token signing key and a self-signed certificate the registry trusts.
const key = join(state, 'token.key');
const cert = join(state, 'token.crt');
if (!existsSync(cert)) {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '3650', '-subj', '/CN=pipeline-token-server'], { stdio: 'ignore' });
}

const specs = [
  { name: 'anon', port: 5000, auth: [] },
  { name: 'basic', port: 5001, auth: ['auth:', '  htpasswd:', '    realm: pipeline-basic', `    path: ${htpasswd}`] },
  { name: 'token', port: 5002, auth: ['auth:', '  token:', '    realm: http://127.0.0.1:5003/token', '    service: pipeline-registry', '    issuer: pipeline-token-server', `    rootcertbundle: ${cert}`] },
];
for (const s of specs) {
  const url = `http://127.0.0.1:${s.port}/v2/`;
  if (await answers(url)) continue;
  console.log(`services: starting registry ${s.name} on 127.0.0.1:${s.port}`);
  daemon(`registry-${s.name}`, 'docker-registry', ['serve', registryConfig(s.name, s.port, s.auth)]);
  await waitFor(url, `registry-${s.name}`);
}
if (!(await answers('http://127.0.0.1:5003/healthz'))) {
  console.log('services: starting token server on 127.0.0.1:5003');
  daemon('token-server', process.execPath, [join(here, 'token-server.mjs')], { TOKEN_KEY: key, TOKEN_CERT: cert, TOKEN_USER: USER, TOKEN_PASSWORD: PASSWORD, TOKEN_PORT: '5003' });
  await waitFor('http://127.0.0.1:5003/healthz', 'token-server');
}
const expect = { 5000: 200, 5001: 401, 5002: 401 };
for (const [port, status] of Object.entries(expect)) {
  const got = await answers(`http://127.0.0.1:${port}/v2/`);
  if (got !== status) throw new Error(`registry on 127.0.0.1:${port} answered /v2/ with ${got}, expected ${status}`);
}
const services = {
  docker: { socket: '/var/run/docker.sock' },
  registries: {
    anon: { host: '127.0.0.1:5000', log: join(state, 'registry-anon.log') },
    basic: { host: '127.0.0.1:5001', username: USER, password: PASSWORD, log: join(state, 'registry-basic.log') },
    token: { host: '127.0.0.1:5002', username: USER, password: PASSWORD, tokenServer: 'http://127.0.0.1:5003', log: join(state, 'registry-token.log') },
  },
  images: { busybox: '127.0.0.1:5000/base/busybox:1.36', node: '127.0.0.1:5000/base/node:20', localBusybox: 'pipeline-test/busybox:1.36', localNode: 'pipeline-test/node:20' },
};
const file = join(state, 'services.json');
const text = JSON.stringify(services, null, 2);
if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
