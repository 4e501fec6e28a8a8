import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isConfigError, type PipelineError } from '@pipeline/core';
import { healthDeadline, parseDeployConfig, resolveSecrets, type DockerEnvironment } from '../src/index.js';
import { BUDGET_MARGIN_MS } from '../src/probe/budget.js';

// `at` stands in for the YAML loader: every path maps to a line derived from its text, so tests can check the position is passed.
const at = (path: (string | number)[]) => ({ file: 'pipeline.yml', line: 10 + path.length, column: 3 });

function bad(raw: unknown, message: RegExp, path?: string): void {
  let err: PipelineError | undefined;
  try {
    parseDeployConfig(raw, at);
  } catch (e) {
    err = e as PipelineError;
  }
  assert.ok(err, `expected a ConfigError for ${JSON.stringify(raw)}`);
  assert.ok(isConfigError(err), `not a ConfigError: ${err}`);
  assert.is(err!.exitCode, 2);
  assert.match(err!.message, message);
  if (path) assert.ok(err!.message.startsWith(path + ':'), err!.message);
  assert.is(err!.position?.file, 'pipeline.yml');
  assert.ok(err!.format().startsWith('pipeline.yml:'), err!.format());
}

const base = { hosts: ['unix:///var/run/docker.sock'] };
/** The docker kind's fields, for the cases below that read them. */
const dockerEnvs = (raw: unknown, a: typeof at) => parseDeployConfig(raw, a) as Record<string, DockerEnvironment>;

test('a full environment parses to exact values with defaults', () => {
  const envs = parseDeployConfig({
    production: {
      app: 'web', image: '127.0.0.1:5000/team/web',
      hosts: ['unix:///var/run/docker.sock', 'tcp://10.0.0.2:2376', { url: 'ssh://deploy@web1:2222', address: '10.0.0.3', identity: '/k' }],
      replicas: 3, network: 'host', hostPorts: '21000-21009', env: { A: 'x', N: 5 }, secrets: { DB: { env: 'DB_PASS' }, KEY: { file: 'key.txt' } },
      volumes: ['/data:/data:ro'], restart: 'always', init: false, resources: { memory: '256m', cpus: 0.5, pids: 64 },
      logging: { driver: 'json-file', options: { 'max-size': '10m' } },
      probe: { http: { path: '/health', status: 204, host: 'web.example' }, interval: '500ms', timeout: '2s', retries: 5, startPeriod: '1m30s', stability: '3s' },
      rollout: { batch: '34%', order: 'start-first', watch: '30s', maxErrorRate: 0.02, drain: '1s' },
      proxy: { haproxy: { socket: '/run/haproxy/admin.sock', backend: 'web' } },
      lock: { wait: '2m', stale: '1h' }, prune: { keep: 5, auto: false },
    },
  }, at);
  assert.equal(envs.production, {
    name: 'production', target: 'docker', app: 'web', image: '127.0.0.1:5000/team/web',
    hosts: [
      { url: 'unix:///var/run/docker.sock', address: '127.0.0.1' },
      { url: 'tcp://10.0.0.2:2376', address: '10.0.0.2' },
      { url: 'ssh://deploy@web1:2222', address: '10.0.0.3', identity: '/k' },
    ],
    replicas: 3, network: 'host', port: 80, hostPorts: { from: 21000, to: 21009 }, ports: [],
    env: { A: 'x', N: '5' }, secrets: { DB: { env: 'DB_PASS' }, KEY: { file: 'key.txt' } },
    volumes: ['/data:/data:ro'], restart: 'always', init: false, resources: { memory: 256 * 1024 * 1024, cpus: 0.5, pids: 64 },
    logging: { driver: 'json-file', options: { 'max-size': '10m' } },
    probe: { http: { path: '/health', status: 204, host: 'web.example' }, interval: 500, timeout: 2000, retries: 5, startPeriod: 90_000, stability: 3000 },
    rollout: { batch: { percent: 34 }, order: 'start-first', watch: 30_000, maxErrorRate: 0.02, drain: 1000 },
    proxy: { kind: 'haproxy', socket: '/run/haproxy/admin.sock', backend: 'web' },
    lock: { wait: 120_000, stale: 3_600_000 }, prune: { keep: 5, auto: false },
  });
});

test('defaults: one replica, tcp probe, start-first, batch 1, init on, unless-stopped', () => {
  const e = dockerEnvs({ staging: base }, at).staging;
  assert.equal([e.replicas, e.probe.tcp, e.rollout.order, e.rollout.batch, e.init, e.restart, e.network], [1, true, 'start-first', 1, true, 'unless-stopped', 'bridge']);
});

// The bad-input corpus: each names the key path, what was expected and what was found.
const corpus: [string, unknown, RegExp, string][] = [
  ['unknown key', { p: { ...base, replica: 2 } }, /Expected one of the keys app, image, hosts/, 'p.replica'],
  ['no hosts', { p: { hosts: [] } }, /Expected at least one host/, 'p.hosts'],
  ['unknown host scheme', { p: { hosts: ['http://web1'] } }, /Expected unix:\/\/\/path\/docker.sock, tcp:\/\/HOST:PORT or ssh:\/\/USER@HOST/, 'p.hosts.0'],
  ['bare hostname', { p: { hosts: ['web1'] } }, /Expected unix:/, 'p.hosts.0'],
  ['ssh without user', { p: { hosts: ['ssh://web1'] } }, /Expected ssh:\/\/USER@HOST\[:PORT\] with a user name, got "ssh:\/\/web1"/, 'p.hosts.0'],
  ['ssh with a path', { p: { hosts: ['ssh://deploy@web1/x'] } }, /without a path/, 'p.hosts.0'],
  ['ssh with a password', { p: { hosts: ['ssh://deploy:pw@web1'] } }, /no password in the ssh URL/, 'p.hosts.0'],
  ['ssh bad host', { p: { hosts: ['ssh://deploy@-web1'] } }, /with a valid host/, 'p.hosts.0'],
  ['tcp without port', { p: { hosts: ['tcp://10.0.0.2'] } }, /tcp:\/\/HOST:PORT with a port/, 'p.hosts.0'],
  ['unix relative', { p: { hosts: ['unix://var/run/docker.sock'] } }, /three slashes/, 'p.hosts.0'],
  ['same host twice', { p: { hosts: ['tcp://10.0.0.2:2375', 'tcp://10.0.0.2:2375'] } }, /each host once/, 'p.hosts.1'],
  ['host mapping key', { p: { hosts: [{ url: 'tcp://a:1', port: 2 }] } }, /Expected one of the keys url, address, tls, identity/, 'p.hosts.0.port'],
  ['port clash: fixed port with replicas', { p: { ...base, replicas: 2, ports: ['8080:80'] } }, /no fixed host ports when two containers/, 'p.ports.0'],
  ['port clash: fixed port twice', { p: { ...base, rollout: { order: 'stop-first', batch: 1 }, ports: ['8080:80', '8080:81'] } }, /each host port once/, 'p.ports.1'],
  ['port clash: fixed port in the pool', { p: { ...base, rollout: { order: 'stop-first' }, ports: ['20005:80'] } }, /outside hostPorts 20000-20099/, 'p.ports.0'],
  ['pool too small', { p: { ...base, replicas: 3, hostPorts: '20000-20004' } }, /at least 6 ports/, 'p.hostPorts'],
  ['bad port mapping', { p: { ...base, ports: ['80'] } }, /HOST:CONTAINER/, 'p.ports.0'],
  ['stop-first with the whole fleet in one batch', { p: { ...base, replicas: 2, rollout: { order: 'stop-first', batch: '100%' } } }, /never zero running replicas/, 'p.rollout.batch'],
  ['bad order', { p: { ...base, rollout: { order: 'blue-green' } } }, /Expected one of start-first, stop-first, got "blue-green"/, 'p.rollout.order'],
  ['bad batch', { p: { ...base, rollout: { batch: '150%' } } }, /a count like 1 or a percentage/, 'p.rollout.batch'],
  ['bad duration', { p: { ...base, probe: { tcp: true, interval: 'soon' } } }, /Expected a duration like 500ms, 30s or 1m30s \(or a number of seconds\), got "soon"/, 'p.probe.interval'],
  ['no probe kind', { p: { ...base, probe: { interval: '1s' } } }, /at least one of http, tcp, exec, healthcheck/, 'p.probe'],
  ['probe path', { p: { ...base, probe: { http: { path: 'health' } } } }, /a path starting with \//, 'p.probe.http.path'],
  ['secret value inline', { p: { ...base, secrets: { DB: 'hunter2' } } }, /\{env: NAME\} or \{file: PATH\}/, 'p.secrets.DB'],
  ['secret both sources', { p: { ...base, secrets: { DB: { env: 'A', file: 'b' } } } }, /exactly one of env or file/, 'p.secrets.DB'],
  ['bad env name', { p: { ...base, env: { 'A-B': '1' } } }, /a variable name/, 'p.env.A-B'],
  ['bad volume', { p: { ...base, volumes: ['data'] } }, /SOURCE:\/container\/path/, 'p.volumes.0'],
  ['bad restart', { p: { ...base, restart: 'sometimes' } }, /one of no, always, unless-stopped, on-failure/, 'p.restart'],
  ['tiny memory', { p: { ...base, resources: { memory: '1k' } } }, /at least 6m/, 'p.resources.memory'],
  ['replicas zero', { p: { ...base, replicas: 0 } }, /an integer from 1 to 100, got 0/, 'p.replicas'],
  ['bad error rate', { p: { ...base, rollout: { maxErrorRate: 5 } } }, /a share from 0 to 1/, 'p.rollout.maxErrorRate'],
  ['unknown target kind', { p: { ...base, target: 'kubernetes' } }, /Expected one of docker(, \w+)*, got "kubernetes"/, 'p.target'],
  ['bad deadline', { p: { ...base, rollout: { deadline: 'never' } } }, /Expected a duration like 500ms, 30s or 1m30s \(or a number of seconds\), got "never"/, 'p.rollout.deadline'],
  ['deadline no version could meet', { p: { ...base, probe: { tcp: true, startPeriod: '5s', stability: '10s' }, rollout: { deadline: '15s' } } }, /Expected a duration longer than probe.startPeriod \+ probe.stability \(15 s\), or no deadline for the probe budget, got "15s"/, 'p.rollout.deadline'],
  ['zero deadline', { p: { ...base, rollout: { deadline: 0 } } }, /longer than probe.startPeriod \+ probe.stability \(0 s\)/, 'p.rollout.deadline'],
  ['bad env name key', { 'Prod!': base }, /an environment name/, 'Prod!'],
  ['not a mapping', { p: ['x'] }, /Expected a mapping, got a list/, 'p'],
  ['history unknown key', { p: { ...base, history: { hosts: true } } }, /Expected one of the keys git, got "hosts"/, 'p.history.hosts'],
  ['history.git not a mapping', { p: { ...base, history: { git: 'pipeline/deploys' } } }, /Expected a mapping, got "pipeline\/deploys"/, 'p.history.git'],
  ['history.git unknown key', { p: { ...base, history: { git: { brnach: 'x' } } } }, /Expected one of the keys branch, file, remote, repo/, 'p.history.git.brnach'],
  ['history.git bad branch', { p: { ...base, history: { git: { branch: 'deploys..log' } } } }, /a valid git branch name/, 'p.history.git.branch'],
  ['history.git branch with a space', { p: { ...base, history: { git: { branch: 'my deploys' } } } }, /a valid git branch name/, 'p.history.git.branch'],
  ['history.git branch ending .lock', { p: { ...base, history: { git: { branch: 'deploys.lock' } } } }, /a valid git branch name/, 'p.history.git.branch'],
  ['history.git absolute file', { p: { ...base, history: { git: { file: '/etc/deploys' } } } }, /a relative path inside the branch/, 'p.history.git.file'],
  ['history.git file escaping', { p: { ...base, history: { git: { file: '../deploys.jsonl' } } } }, /a relative path inside the branch/, 'p.history.git.file'],
  ['history.git remote like a flag', { p: { ...base, history: { git: { remote: '--upload-pack=x' } } } }, /a remote name like origin/, 'p.history.git.remote'],
  ['history.git empty remote', { p: { ...base, history: { git: { remote: '' } } } }, /a non-empty string/, 'p.history.git.remote'],
];
for (const [name, raw, re, path] of corpus) test(`bad config: ${name}`, () => bad(raw, re, path));

test('target: docker is the default kind, said or not', () => {
  const e = parseDeployConfig({ a: base, b: { ...base, target: 'docker' } }, at);
  assert.is(e.a.target, 'docker');
  assert.equal(e.a, { ...e.b, name: 'a' });
});

test('rollout.deadline: explicit, else the probe budget (start period + retries × (interval + timeout) + stability + margin)', () => {
  const e = parseDeployConfig({ a: { ...base, rollout: { deadline: '2m' } }, b: { ...base, probe: { tcp: true, interval: '2s', timeout: '1s', retries: 4, startPeriod: '10s', stability: '5s' } } }, at);
  assert.is(e.a.rollout.deadline, 120_000);
  assert.is(healthDeadline(e.a.probe, e.a.rollout), 120_000);
  assert.is(e.b.rollout.deadline, undefined);
  assert.is(healthDeadline(e.b.probe, e.b.rollout), 10_000 + 4 * 3000 + 5000 + BUDGET_MARGIN_MS);
});

test('history.git: defaults (branch pipeline/deploys, file per environment, this repo) and every key', () => {
  const e = parseDeployConfig({ production: { ...base, history: { git: null } }, staging: { ...base, history: { git: { branch: 'ops/deploys', file: 'log/staging.jsonl', remote: 'origin', repo: '../deploy-repo' } } } }, at);
  assert.equal(e.production.history, { git: { branch: 'pipeline/deploys', file: 'deploys/production.jsonl', repo: '.' } });
  assert.equal(e.staging.history, { git: { branch: 'ops/deploys', file: 'log/staging.jsonl', repo: '../deploy-repo', remote: 'origin' } });
  assert.is(parseDeployConfig({ p: base }, at).p.history, undefined);
});

test('the position comes from `at` with environments prefixed', () => {
  const seen: (string | number)[][] = [];
  try {
    parseDeployConfig({ p: { hosts: ['ssh://web1'] } }, (p) => (seen.push(p), { file: 'pipeline.yml', line: 7, column: 9 }));
  } catch (e) {
    assert.is((e as PipelineError).format().split('\n')[0].slice(0, 19), 'pipeline.yml:7:9: p');
  }
  assert.equal(seen.at(-1), ['environments', 'p', 'hosts', 0]);
});

test('missing secret: a ConfigError naming the variable, before anything runs', () => {
  const env = parseDeployConfig({ p: { ...base, secrets: { DB: { env: 'PIPELINE_TEST_NOPE' }, F: { file: '/nonexistent/secret' } } } }, at).p;
  assert.throws(() => resolveSecrets(env, { vars: {} }), (e: Error) => isConfigError(e) && /PIPELINE_TEST_NOPE to be set/.test(e.message));
  assert.throws(() => resolveSecrets(env, { vars: { PIPELINE_TEST_NOPE: 'sekrit-value' } }), (e: Error) => isConfigError(e) && /readable secret file \/nonexistent\/secret, got ENOENT/.test(e.message));
});

// TLS for tcp:// hosts and ssh known_hosts: files are read while parsing, so these cases use real (dummy) PEM files.
const pemDir = mkdtempSync(join(tmpdir(), 'config-tls-'));
process.on('exit', () => rmSync(pemDir, { recursive: true, force: true }));
const pemFile = (name: string, kind: string) => (writeFileSync(join(pemDir, name), `-----BEGIN ${kind}-----\nAAAA\n-----END ${kind}-----\n`), join(pemDir, name));
const [caPem, certPem, keyPem] = [pemFile('ca.pem', 'CERTIFICATE'), pemFile('cert.pem', 'CERTIFICATE'), pemFile('key.pem', 'RSA PRIVATE KEY')];
const noCa = mkdtempSync(join(pemDir, 'no-ca-'));
writeFileSync(join(noCa, 'cert.pem'), readFileSync(certPem));
writeFileSync(join(noCa, 'key.pem'), readFileSync(keyPem));
const notPem = join(pemDir, 'not.pem');
writeFileSync(notPem, 'hello\n');
const knownHosts = join(pemDir, 'known_hosts');
writeFileSync(knownHosts, 'web1 ssh-ed25519 AAAA\n');
const tcp = (tls: unknown) => ({ p: { hosts: [{ url: 'tcp://10.0.0.2:2376', tls }] } });

test('tls: files, certPath (DOCKER_CERT_PATH layout), tls: true from $DOCKER_CERT_PATH, verify: false; knownHosts', () => {
  const want = { url: 'tcp://10.0.0.2:2376', address: '10.0.0.2', tls: { verify: true, ca: caPem, cert: certPem, key: keyPem } };
  assert.equal(dockerEnvs(tcp({ ca: caPem, cert: certPem, key: keyPem }), at).p.hosts[0], want);
  assert.equal(dockerEnvs(tcp({ certPath: pemDir }), at).p.hosts[0], want);
  const saved = process.env.DOCKER_CERT_PATH;
  process.env.DOCKER_CERT_PATH = pemDir;
  try {
    assert.equal(dockerEnvs(tcp(true), at).p.hosts[0], want);
  } finally {
    if (saved === undefined) delete process.env.DOCKER_CERT_PATH;
    else process.env.DOCKER_CERT_PATH = saved;
  }
  assert.equal(dockerEnvs(tcp({ certPath: noCa, verify: false }), at).p.hosts[0].tls, { verify: false, cert: join(noCa, 'cert.pem'), key: join(noCa, 'key.pem') });
  assert.equal(dockerEnvs(tcp({ ca: caPem }), at).p.hosts[0].tls, { verify: true, ca: caPem });
  assert.is(dockerEnvs(tcp(false), at).p.hosts[0].tls, undefined);
  assert.is(dockerEnvs({ p: { hosts: [{ url: 'ssh://deploy@web1', knownHosts }] } }, at).p.hosts[0].knownHosts, knownHosts);
});

test('tls: a missing cert file is a ConfigError at pipeline.yml:line:col, exit 2, naming the file', () => {
  let err: PipelineError | undefined;
  try {
    parseDeployConfig(tcp({ ca: caPem, cert: join(pemDir, 'missing.pem'), key: keyPem }), (p) => ({ file: 'pipeline.yml', line: 20 + p.length, column: 7 }));
  } catch (e) {
    err = e as PipelineError;
  }
  assert.ok(isConfigError(err), String(err));
  assert.is(err!.exitCode, 2);
  assert.is(err!.format().split('\n')[0], `pipeline.yml:26:7: p.hosts.0.tls.cert: Expected a readable PEM file (CERTIFICATE), got "${join(pemDir, 'missing.pem')}: ENOENT"`);
});

const tlsCorpus: [string, unknown, RegExp, string][] = [
  ['tls: missing ca file', tcp({ ca: '/nonexistent/ca.pem' }), /Expected a readable PEM file \(CERTIFICATE\), got "\/nonexistent\/ca.pem: ENOENT"/, 'p.hosts.0.tls.ca'],
  ['tls: missing key file', tcp({ cert: certPem, key: join(pemDir, 'nokey.pem') }), /readable PEM file \(PRIVATE KEY\).*ENOENT/, 'p.hosts.0.tls.key'],
  ['tls: not a PEM file', tcp({ ca: notPem }), /Expected a PEM file with a CERTIFICATE, got ".*not.pem: no/, 'p.hosts.0.tls.ca'],
  ['tls: a key where the cert belongs', tcp({ cert: keyPem, key: keyPem }), /a PEM file with a CERTIFICATE/, 'p.hosts.0.tls.cert'],
  ['tls: cert without key', tcp({ ca: caPem, cert: certPem }), /Expected cert and key together .*got "a cert without a key"/, 'p.hosts.0.tls.key'],
  ['tls: key without cert', tcp({ key: keyPem }), /cert and key together .*got "a key without a cert"/, 'p.hosts.0.tls.cert'],
  ['tls: certPath missing', tcp({ certPath: '/nonexistent/certs' }), /Expected a directory holding ca.pem, cert.pem and key.pem \(the DOCKER_CERT_PATH layout\), got "\/nonexistent\/certs: ENOENT"/, 'p.hosts.0.tls.certPath'],
  ['tls: certPath a file', tcp({ certPath: caPem }), /not a directory/, 'p.hosts.0.tls.certPath'],
  ['tls: certPath without ca.pem, verifying', tcp({ certPath: noCa }), /ca.pem in .* to verify the server \(or verify: false/, 'p.hosts.0.tls.certPath'],
  ['tls: unknown key', tcp({ cacert: caPem }), /Expected one of the keys ca, cert, key, certPath, verify, got "cacert"/, 'p.hosts.0.tls.cacert'],
  ['tls: verify not a boolean', tcp({ ca: caPem, verify: 'yes' }), /Expected true or false/, 'p.hosts.0.tls.verify'],
  ['tls on an ssh host', { p: { hosts: [{ url: 'ssh://deploy@web1', tls: { ca: caPem } }] } }, /tls only on a tcp:\/\/ host/, 'p.hosts.0.tls'],
  ['tls on a unix socket', { p: { hosts: [{ url: 'unix:///var/run/docker.sock', tls: true }] } }, /tls only on a tcp:\/\/ host/, 'p.hosts.0.tls'],
  ['knownHosts on a tcp host', { p: { hosts: [{ url: 'tcp://10.0.0.2:2376', knownHosts }] } }, /knownHosts only on an ssh:\/\/ host/, 'p.hosts.0.knownHosts'],
  ['knownHosts missing', { p: { hosts: [{ url: 'ssh://deploy@web1', knownHosts: '/nonexistent/known_hosts' }] } }, /a readable known_hosts file, got "\/nonexistent\/known_hosts: ENOENT"/, 'p.hosts.0.knownHosts'],
];
for (const [name, raw, re, path] of tlsCorpus) test(`bad config: ${name}`, () => bad(raw, re, path));

test.run();
