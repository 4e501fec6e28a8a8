
import { Checker, type At, type Path } from './check.js';
import { DURATION_EXPECTED, durationMs } from '@pipeline/core';
import { parseBytes } from './bytes.js';
import { parseHost } from './hosts.js';
import type { DeployEnvironment, DeployEnvironments, GitRecordConfig, PortMapping, ProbeConfig, RolloutConfig, SecretSource } from './types.js';

const ENV_KEYS = ['app', 'image', 'hosts', 'replicas', 'network', 'port', 'hostPorts', 'ports', 'env', 'secrets', 'volumes', 'restart', 'init', 'resources', 'logging', 'probe', 'rollout', 'proxy', 'lock', 'prune', 'history'] as const;
const PROBE_KEYS = ['http', 'tcp', 'exec', 'healthcheck', 'interval', 'timeout', 'retries', 'startPeriod', 'stability'] as const;
const ROLLOUT_KEYS = ['batch', 'order', 'watch', 'maxErrorRate', 'drain', 'deadline'] as const;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NAME = /^[a-z0-9][a-z0-9_.-]*$/;

/** Validates the `environments:` mapping of pipeline.yml; `at` maps a key path (below `environments`) to its position. */
export function parseDeployConfig(raw: unknown, at: At): DeployEnvironments {
  const c = new Checker((p) => at(['environments', ...p]));
  const envs = c.object(raw, []);
  const out: DeployEnvironments = {};
  for (const [name, value] of Object.entries(envs)) {
    if (!NAME.test(name) || name.length > 64) c.fail([name], 'an environment name of at most 64 lowercase letters, digits, ., _ and -', name);
    out[name] = parseEnvironment(c, name, value);
  }
  return out;
}

function parseEnvironment(c: Checker, name: string, raw: unknown): DeployEnvironment {
  const p: Path = [name];
  const o = c.object(raw, p, ENV_KEYS);
  const hostsRaw = c.array(o.hosts, [...p, 'hosts']);
  if (hostsRaw.length === 0) c.fail([...p, 'hosts'], 'at least one host', hostsRaw);
  const hosts = hostsRaw.map((h, i) => parseHost(c, h, [...p, 'hosts', i]));
  const seen = new Map<string, number>();
  hosts.forEach((h, i) => {
    if (seen.has(h.url)) c.fail([...p, 'hosts', i], `each host once (already at hosts.${seen.get(h.url)})`, h.url);
    seen.set(h.url, i);
  });
  const env: DeployEnvironment = {
    name,
    hosts,
    replicas: o.replicas === undefined ? 1 : c.int(o.replicas, [...p, 'replicas'], 1, 100),
    network: o.network === undefined ? 'bridge' : c.string(o.network, [...p, 'network']),
    port: o.port === undefined ? 80 : c.int(o.port, [...p, 'port'], 1, 65535),
    hostPorts: parseRange(c, o.hostPorts ?? '20000-20099', [...p, 'hostPorts']),
    ports: o.ports === undefined ? [] : c.array(o.ports, [...p, 'ports']).map((x, i) => parsePort(c, x, [...p, 'ports', i])),
    env: o.env === undefined ? {} : parseEnv(c, o.env, [...p, 'env']),
    secrets: o.secrets === undefined ? {} : parseSecrets(c, o.secrets, [...p, 'secrets']),
    volumes: o.volumes === undefined ? [] : c.array(o.volumes, [...p, 'volumes']).map((v, i) => parseVolume(c, v, [...p, 'volumes', i])),
    restart: o.restart === undefined ? 'unless-stopped' : c.oneOf(o.restart, [...p, 'restart'], ['no', 'always', 'unless-stopped', 'on-failure'] as const),
    init: o.init === undefined ? true : c.bool(o.init, [...p, 'init']),
    resources: o.resources === undefined ? {} : parseResources(c, o.resources, [...p, 'resources']),
    probe: parseProbe(c, o.probe ?? { tcp: true }, [...p, 'probe']),
    rollout: parseRollout(c, o.rollout ?? {}, [...p, 'rollout']),
    lock: { wait: 0, stale: 30 * 60_000 },
    prune: { keep: 3, auto: true },
  };
  if (o.app !== undefined) env.app = nameOf(c, o.app, [...p, 'app']);
  if (o.image !== undefined) env.image = c.string(o.image, [...p, 'image']);
  if (o.logging !== undefined) {
    const l = c.object(o.logging, [...p, 'logging'], ['driver', 'options']);
    env.logging = { driver: l.driver === undefined ? 'json-file' : c.string(l.driver, [...p, 'logging', 'driver']), options: l.options === undefined ? {} : parseEnv(c, l.options, [...p, 'logging', 'options']) };
  }
  if (o.proxy !== undefined) {
    const x = c.object(o.proxy, [...p, 'proxy'], ['haproxy']);
    const h = c.object(x.haproxy, [...p, 'proxy', 'haproxy'], ['socket', 'backend']);
    env.proxy = { kind: 'haproxy', socket: c.string(h.socket, [...p, 'proxy', 'haproxy', 'socket']), backend: c.string(h.backend, [...p, 'proxy', 'haproxy', 'backend']) };
  }
  if (o.lock !== undefined) {
    const l = c.object(o.lock, [...p, 'lock'], ['wait', 'stale']);
    if (l.wait !== undefined) env.lock.wait = duration(c, l.wait, [...p, 'lock', 'wait']);
    if (l.stale !== undefined) env.lock.stale = duration(c, l.stale, [...p, 'lock', 'stale']);
  }
  if (o.prune !== undefined) {
    const x = c.object(o.prune, [...p, 'prune'], ['keep', 'auto']);
    if (x.keep !== undefined) env.prune.keep = c.int(x.keep, [...p, 'prune', 'keep'], 1, 100);
    if (x.auto !== undefined) env.prune.auto = c.bool(x.auto, [...p, 'prune', 'auto']);
  }
  if (o.history !== undefined) {
    const h = c.object(o.history, [...p, 'history'], ['git']);
    env.history = h.git === undefined ? {} : { git: parseGitRecord(c, h.git, name, [...p, 'history', 'git']) };
  }
  checkPorts(c, env, p);
  checkDeadline(c, o, env, p);
  return env;
}

// git check-ref-format, the parts a branch name can get wrong.
const BAD_REF = /(^[-/.]|\.\.|[\x00-\x20~^:?*[\\]|@\{|\/\/|\/\.|\.lock$|\.lock\/|[/.]$)/;

function parseGitRecord(c: Checker, v: unknown, envName: string, p: Path): GitRecordConfig {
  const o = c.object(v ?? {}, p, ['branch', 'file', 'remote', 'repo']);
  const branch = o.branch === undefined ? 'pipeline/deploys' : c.string(o.branch, [...p, 'branch']);
  if (BAD_REF.test(branch)) c.fail([...p, 'branch'], 'a valid git branch name like pipeline/deploys', branch);
  const file = o.file === undefined ? `deploys/${envName}.jsonl` : c.string(o.file, [...p, 'file']);
  if (file.startsWith('/') || file.endsWith('/') || file.split('/').some((s) => s === '' || s === '.' || s === '..' || s === '.git')) {
    c.fail([...p, 'file'], 'a relative path inside the branch like deploys/production.jsonl', file);
  }
  const out: GitRecordConfig = { branch, file, repo: o.repo === undefined ? '.' : c.string(o.repo, [...p, 'repo']) };
  if (o.remote !== undefined) {
    const remote = c.string(o.remote, [...p, 'remote']);
    if (remote.startsWith('-') || /\s/.test(remote)) c.fail([...p, 'remote'], 'a remote name like origin or a repository URL', remote);
    out.remote = remote;
  }
  return out;
}

/** Clashes: a fixed host port can hold one container per host, and the pool must fit old + new containers. */
function checkPorts(c: Checker, env: DeployEnvironment, p: Path): void {
  const fixed = new Map<string, number>();
  env.ports.forEach((m, i) => {
    const key = `${m.host}/${m.protocol}`;
    if (fixed.has(key)) c.fail([...p, 'ports', i], `each host port once (${m.host} is already at ports.${fixed.get(key)})`, `${m.host}:${m.container}`);
    fixed.set(key, i);
    if (m.host >= env.hostPorts.from && m.host <= env.hostPorts.to) c.fail([...p, 'ports', i], `a host port outside hostPorts ${env.hostPorts.from}-${env.hostPorts.to}`, m.host);
    if (env.replicas > 1 || env.rollout.order === 'start-first') {
      c.fail([...p, 'ports', i], 'no fixed host ports when two containers of the app share a host (replicas > 1 or order start-first); route through hostPorts and the proxy', `${m.host}:${m.container}`);
    }
  });
  const size = env.hostPorts.to - env.hostPorts.from + 1;
  const need = env.replicas * 2;
  if (size < need) c.fail([...p, 'hostPorts'], `a range of at least ${need} ports (replicas × 2, old and new side by side)`, `${size} ports`);
  const total = env.replicas * env.hosts.length;
  const b = env.rollout.batch;
  const batch = typeof b === 'number' ? b : Math.ceil((total * b.percent) / 100);
  if (env.rollout.order === 'stop-first' && batch >= total) {
    c.fail([...p, 'rollout', 'batch'], `a batch smaller than all ${total} replicas with stop-first (never zero running replicas)`, typeof b === 'number' ? b : `${b.percent}%`);
  }
}

function nameOf(c: Checker, v: unknown, p: Path): string {
  const s = c.string(v, p);
  if (!NAME.test(s)) c.fail(p, 'lowercase letters, digits, ., _ and -', s);
  return s;
}

function duration(c: Checker, v: unknown, p: Path): number {
  const d = durationMs(v);
  if (d === undefined) c.fail(p, `${DURATION_EXPECTED} (or a number of seconds)`, v);
  return d as number;
}

function parseRange(c: Checker, v: unknown, p: Path): { from: number; to: number } {
  const m = typeof v === 'string' ? /^(\d+)-(\d+)$/.exec(v) : null;
  const from = Number(m?.[1]);
  const to = Number(m?.[2]);
  if (!m || from < 1 || to > 65535 || from > to) c.fail(p, 'a port range FROM-TO within 1-65535', v);
  return { from, to };
}

function parsePort(c: Checker, v: unknown, p: Path): PortMapping {
  const m = typeof v === 'string' ? /^(\d+):(\d+)(?:\/(tcp|udp))?$/.exec(v) : null;
  if (!m || +m[1] < 1 || +m[1] > 65535 || +m[2] < 1 || +m[2] > 65535) c.fail(p, 'HOST:CONTAINER[/tcp|udp] with ports 1-65535', v);
  return { host: Number(m![1]), container: Number(m![2]), protocol: (m![3] as 'tcp' | 'udp' | undefined) ?? 'tcp' };
}

function parseEnv(c: Checker, v: unknown, p: Path): Record<string, string> {
  const o = c.object(v, p);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(o)) {
    if (!ENV_NAME.test(k) && !p.includes('logging')) c.fail([...p, k], 'a variable name [A-Za-z_][A-Za-z0-9_]*', k);
    if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') c.fail([...p, k], 'a string, number or boolean', x);
    out[k] = String(x);
  }
  return out;
}

function parseSecrets(c: Checker, v: unknown, p: Path): Record<string, SecretSource> {
  const o = c.object(v, p);
  const out: Record<string, SecretSource> = {};
  for (const [k, x] of Object.entries(o)) {
    if (!ENV_NAME.test(k)) c.fail([...p, k], 'a variable name [A-Za-z_][A-Za-z0-9_]*', k);
    if (typeof x === 'string') c.fail([...p, k], '{env: NAME} or {file: PATH} (secret values never go in pipeline.yml)', x);
    const s = c.object(x, [...p, k], ['env', 'file']);
    if ((s.env === undefined) === (s.file === undefined)) c.fail([...p, k], 'exactly one of env or file', x);
    out[k] = s.env !== undefined ? { env: c.string(s.env, [...p, k, 'env']) } : { file: c.string(s.file, [...p, k, 'file']) };
  }
  return out;
}

function parseVolume(c: Checker, v: unknown, p: Path): string {
  const s = c.string(v, p);
  const parts = s.split(':');
  if (parts.length < 2 || parts.length > 3 || !parts[1].startsWith('/') || (parts[2] !== undefined && !/^(ro|rw)$/.test(parts[2]))) {
    c.fail(p, 'SOURCE:/container/path[:ro|rw]', s);
  }
  return s;
}

function parseResources(c: Checker, v: unknown, p: Path): DeployEnvironment['resources'] {
  const o = c.object(v, p, ['memory', 'cpus', 'pids']);
  const r: DeployEnvironment['resources'] = {};
  if (o.memory !== undefined) {
    const b = parseBytes(o.memory);
    if (b === undefined || b < 6 * 1024 * 1024) c.fail([...p, 'memory'], 'a size of at least 6m like 256m or 1g', o.memory);
    r.memory = b;
  }
  if (o.cpus !== undefined) {
    if (typeof o.cpus !== 'number' || !(o.cpus > 0)) c.fail([...p, 'cpus'], 'a positive number of CPUs like 0.5', o.cpus);
    r.cpus = o.cpus as number;
  }
  if (o.pids !== undefined) r.pids = c.int(o.pids, [...p, 'pids'], 1);
  return r;
}

function parseProbe(c: Checker, v: unknown, p: Path): ProbeConfig {
  const o = c.object(v, p, PROBE_KEYS);
  const probe: ProbeConfig = {
    interval: o.interval === undefined ? 1000 : duration(c, o.interval, [...p, 'interval']),
    timeout: o.timeout === undefined ? 1000 : duration(c, o.timeout, [...p, 'timeout']),
    retries: o.retries === undefined ? 3 : c.int(o.retries, [...p, 'retries'], 1, 1000),
    startPeriod: o.startPeriod === undefined ? 0 : duration(c, o.startPeriod, [...p, 'startPeriod']),
    stability: o.stability === undefined ? 0 : duration(c, o.stability, [...p, 'stability']),
  };
  if (o.http !== undefined) {
    const h = c.object(o.http, [...p, 'http'], ['path', 'status', 'host']);
    const path = h.path === undefined ? '/' : c.string(h.path, [...p, 'http', 'path']);
    if (!path.startsWith('/')) c.fail([...p, 'http', 'path'], 'a path starting with /', path);
    probe.http = { path, status: h.status === undefined ? 200 : c.int(h.status, [...p, 'http', 'status'], 100, 599) };
    if (h.host !== undefined) probe.http.host = c.string(h.host, [...p, 'http', 'host']);
  }
  if (o.tcp !== undefined) probe.tcp = c.bool(o.tcp, [...p, 'tcp']);
  if (o.exec !== undefined) {
    const e = c.array(o.exec, [...p, 'exec']);
    if (!e.length) c.fail([...p, 'exec'], 'a command as a non-empty list of strings', e);
    probe.exec = e.map((x, i) => c.string(x, [...p, 'exec', i]));
  }
  if (o.healthcheck !== undefined) probe.healthcheck = c.bool(o.healthcheck, [...p, 'healthcheck']);
  if (!probe.http && !probe.tcp && !probe.exec && !probe.healthcheck) c.fail(p, 'at least one of http, tcp, exec, healthcheck', v);
  return probe;
}

function parseRollout(c: Checker, v: unknown, p: Path): RolloutConfig {
  const o = c.object(v, p, ROLLOUT_KEYS);
  let batch: RolloutConfig['batch'] = 1;
  if (typeof o.batch === 'string') {
    const m = /^(\d+(?:\.\d+)?)%$/.exec(o.batch);
    if (!m || +m[1] <= 0 || +m[1] > 100) c.fail([...p, 'batch'], 'a count like 1 or a percentage like 33%', o.batch);
    batch = { percent: Number(m![1]) };
  } else if (o.batch !== undefined) batch = c.int(o.batch, [...p, 'batch'], 1, 1000);
  const rate = o.maxErrorRate ?? 0.01;
  if (typeof rate !== 'number' || rate < 0 || rate > 1) c.fail([...p, 'maxErrorRate'], 'a share from 0 to 1 like 0.01', rate);
  const out: RolloutConfig = {
    batch,
    order: o.order === undefined ? 'start-first' : c.oneOf(o.order, [...p, 'order'], ['start-first', 'stop-first'] as const),
    watch: o.watch === undefined ? 0 : duration(c, o.watch, [...p, 'watch']),
    maxErrorRate: rate as number,
    drain: o.drain === undefined ? 2000 : duration(c, o.drain, [...p, 'drain']),
  };
  if (o.deadline !== undefined) out.deadline = duration(c, o.deadline, [...p, 'deadline']);
  return out;
}

/** An explicit deadline must leave room for the start period and the stability window, or no version could pass. */
function checkDeadline(c: Checker, raw: Record<string, unknown>, env: DeployEnvironment, p: Path): void {
  const d = env.rollout.deadline;
  const need = env.probe.startPeriod + env.probe.stability;
  if (d !== undefined && (d <= 0 || d <= need)) {
    c.fail([...p, 'rollout', 'deadline'], `a duration longer than probe.startPeriod + probe.stability (${need / 1000} s), or no deadline for the probe budget`, (raw.rollout as Record<string, unknown>).deadline);
  }
}

