// Starts three real registries (Debian's docker-registry, distribution 2.8) and a token server,
// each only when its port does not answer yet; checks /v2/ on each; writes the registries part of
// services.json. Each registry's HTTP access log (one line per request, with status and bytes sent)
// goes to registry-<name>.access.log, its app log to registry-<name>.log.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, writeFileSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const state = process.argv[2];
const here = fileURLToPath(new URL('.', import.meta.url));
const USER = 'pipeline';
const PASSWORD = 'pipeline-secret';
const TOKEN = { port: 5003, service: 'pipeline-registry', issuer: 'pipeline-token-server' };

async function get(url) {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(1000) });
  } catch {
    return undefined;
  }
}

async function waitFor(url, name) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await get(url)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} did not answer at ${url} in 10 s (see ${state}/${name}.log)`);
}

// Detached into its own session so it outlives `start` and the caller's Ctrl-C; the pid file is what stop uses.
function daemon(name, cmd, args, env, stdoutFile) {
  const out = openSync(join(state, stdoutFile), 'a');
  const err = openSync(join(state, `${name}.log`), 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, err], env: { ...process.env, ...env } });
  writeFileSync(join(state, `${name}.pid`), String(child.pid));
  child.unref();
}

const alive = (pid) => {
  try {
    return process.kill(pid, 0);
  } catch {
    return false;
  }
};

// Ours when the pid file names a live process running this very command (pids get recycled).
function ourPid(name, marker) {
  const f = join(state, `${name}.pid`);
  const pid = existsSync(f) ? Number(readFileSync(f, 'utf8')) : 0;
  if (!pid || !alive(pid)) return 0;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker) ? pid : 0;
  } catch {
    return 0;
  }
}

async function stopPid(pid) {
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

// Starts `name` unless `url` answers. What it runs with (args, env, config, script) is kept in
// <name>.spec: when that changed since we started it (e.g. TOKEN_TTL=2 start), it is restarted.
async function ensure({ name, url, cmd, args, env = {}, marker, stdoutFile = `${name}.log`, write = () => {}, spec }) {
  const specFile = join(state, `${name}.spec`);
  if (await get(url)) {
    const pid = ourPid(name, marker);
    if (!pid || (existsSync(specFile) && readFileSync(specFile, 'utf8') === spec)) return undefined;
    console.log(`services: restarting ${name} (its configuration changed)`);
    await stopPid(pid);
  } else {
    console.log(`services: starting ${name} (${url})`);
  }
  write();
  writeFileSync(specFile, spec);
  daemon(name, cmd, args, env, stdoutFile);
  return waitFor(url, name);
}

function registryConfig(name, port, auth) {
  const dir = join(state, `registry-${name}`);
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
    // Fixed so upload sessions survive a registry restart (resume tests); no http.debug: off.
    `  secret: pipeline-test-${name}`,
    '  headers:',
    '    X-Content-Type-Options: [nosniff]',
    ...auth,
  ];
  return { dir, file: join(dir, 'config.yml'), text: lines.join('\n') + '\n' };
}

function credentials() {
  // htpasswd (bcrypt, the only hash distribution accepts)
  const htpasswd = join(state, 'htpasswd');
  if (!existsSync(htpasswd)) writeFileSync(htpasswd, execFileSync('htpasswd', ['-Bbn', USER, PASSWORD]).toString().trim() + '\n');
  // Token signing key and the self-signed certificate the registry trusts (rootcertbundle).
  const key = join(state, 'token.key');
  const cert = join(state, 'token.crt');
  if (!existsSync(cert) || !existsSync(key)) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '3650', '-subj', '/CN=pipeline-token-server'], { stdio: 'ignore' });
  }
  return { htpasswd, key, cert };
}

async function main() {
  const { htpasswd, key, cert } = credentials();
  const realm = `http://127.0.0.1:${TOKEN.port}/token`;
  const specs = [
    { name: 'anon', port: 5000, status: 200, auth: [] },
    { name: 'basic', port: 5001, status: 401, auth: ['auth:', '  htpasswd:', '    realm: pipeline-basic', `    path: ${htpasswd}`] },
    { name: 'token', port: 5002, status: 401, auth: ['auth:', '  token:', `    realm: ${realm}`, `    service: ${TOKEN.service}`, `    issuer: ${TOKEN.issuer}`, `    rootcertbundle: ${cert}`] },
  ];
  // Start whatever is down, all at once (a cold start waits once, not four times).
  const waits = specs.map((s) => {
    const cfg = registryConfig(s.name, s.port, s.auth);
    const write = () => (mkdirSync(cfg.dir, { recursive: true }), writeFileSync(cfg.file, cfg.text));
    return ensure({ name: `registry-${s.name}`, url: `http://127.0.0.1:${s.port}/v2/`, cmd: 'docker-registry', args: ['serve', cfg.file], marker: cfg.file, stdoutFile: `registry-${s.name}.access.log`, write, spec: cfg.text });
  });
  const script = join(here, 'token-server.mjs');
  const tokenEnv = { TOKEN_KEY: key, TOKEN_CERT: cert, TOKEN_USER: USER, TOKEN_PASSWORD: PASSWORD, TOKEN_PORT: String(TOKEN.port), TOKEN_ISSUER: TOKEN.issuer, TOKEN_TTL: process.env.TOKEN_TTL || '300' };
  const tokenSpec = JSON.stringify(tokenEnv) + '\n' + readFileSync(script, 'utf8');
  waits.push(ensure({ name: 'token-server', url: `http://127.0.0.1:${TOKEN.port}/healthz`, cmd: process.execPath, args: [script], env: tokenEnv, marker: script, spec: tokenSpec }));
  await Promise.all(waits);

  for (const s of specs) {
    const r = await get(`http://127.0.0.1:${s.port}/v2/`);
    if (r?.status !== s.status) throw new Error(`registry ${s.name} on 127.0.0.1:${s.port} answered /v2/ with ${r?.status ?? 'nothing'}, expected ${s.status}`);
    const challenge = r.headers.get('www-authenticate') ?? '';
    if (s.name === 'token' && !challenge.includes(realm)) throw new Error(`registry token on 127.0.0.1:5002 challenges with ${JSON.stringify(challenge)}, expected realm ${realm} (another registry holds the port?)`);
  }

  const logs = (name) => ({ log: join(state, `registry-${name}.log`), accessLog: join(state, `registry-${name}.access.log`) });
  const file = join(state, 'services.json');
  const old = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const next = {
    state,
    docker: { socket: '/var/run/docker.sock' },
    registries: {
      anon: { host: '127.0.0.1:5000', ...logs('anon') },
      basic: { host: '127.0.0.1:5001', username: USER, password: PASSWORD, ...logs('basic') },
      token: { host: '127.0.0.1:5002', username: USER, password: PASSWORD, tokenServer: `http://127.0.0.1:${TOKEN.port}`, service: TOKEN.service, realm, ...logs('token') },
    },
    ...(old.images ? { images: old.images } : {}), // written by test/services/images
  };
  // Atomic and only on change: tests may read it while a re-run happens.
  const text = JSON.stringify(next, null, 2) + '\n';
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  }
}

main().catch((err) => {
  console.error(`services: ERROR: ${err.message.split('\n')[0]}`);
  process.exit(1);
});
