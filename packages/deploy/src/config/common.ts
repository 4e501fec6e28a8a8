import { DURATION_EXPECTED, durationMs } from '@pipeline/core';
import { parseBytes } from './bytes.js';
import type { Checker, Path } from './check.js';
import { BAD_REF, isTreePath } from './repo-paths.js';
import type { EnvironmentBase, GitRecordConfig, ProbeConfig, Resources, RolloutConfig, SecretSource } from './types.js';

/** Keys every target kind takes. */
export const BASE_KEYS = ['app', 'image', 'env', 'secrets', 'probe', 'rollout', 'lock', 'prune', 'history', 'target'] as const;
const PROBE_KEYS = ['http', 'tcp', 'exec', 'healthcheck', 'interval', 'timeout', 'retries', 'startPeriod', 'stability'] as const;
const ROLLOUT_KEYS = ['batch', 'order', 'watch', 'maxErrorRate', 'drain', 'deadline'] as const;
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const NAME = /^[a-z0-9][a-z0-9_.-]*$/;

/** The keys of EnvironmentBase, from an environment mapping whose keys were already checked. */
export function parseBase(c: Checker, name: string, o: Record<string, unknown>, p: Path): EnvironmentBase {
  const env: EnvironmentBase = {
    name,
    env: o.env === undefined ? {} : parseEnv(c, o.env, [...p, 'env']),
    secrets: o.secrets === undefined ? {} : parseSecrets(c, o.secrets, [...p, 'secrets']),
    probe: parseProbe(c, o.probe ?? { tcp: true }, [...p, 'probe']),
    rollout: parseRollout(c, o.rollout ?? {}, [...p, 'rollout']),
    lock: { wait: 0, stale: 30 * 60_000 },
    prune: { keep: 3, auto: true },
  };
  if (o.app !== undefined) env.app = nameOf(c, o.app, [...p, 'app']);
  if (o.image !== undefined) env.image = c.string(o.image, [...p, 'image']);
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
  return env;
}

export function parseGitRecord(c: Checker, v: unknown, envName: string, p: Path): GitRecordConfig {
  const o = c.object(v ?? {}, p, ['branch', 'file', 'remote', 'repo']);
  const branch = o.branch === undefined ? 'pipeline/deploys' : c.string(o.branch, [...p, 'branch']);
  if (BAD_REF.test(branch)) c.fail([...p, 'branch'], 'a valid git branch name like pipeline/deploys', branch);
  const file = o.file === undefined ? `deploys/${envName}.jsonl` : c.string(o.file, [...p, 'file']);
  if (!isTreePath(file)) {
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

export function nameOf(c: Checker, v: unknown, p: Path): string {
  const s = c.string(v, p);
  if (!NAME.test(s)) c.fail(p, 'lowercase letters, digits, ., _ and -', s);
  return s;
}

export function duration(c: Checker, v: unknown, p: Path): number {
  const d = durationMs(v);
  if (d === undefined) c.fail(p, `${DURATION_EXPECTED} (or a number of seconds)`, v);
  return d as number;
}

export function parseEnv(c: Checker, v: unknown, p: Path): Record<string, string> {
  const o = c.object(v, p);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(o)) {
    if (!ENV_NAME.test(k) && !p.includes('logging')) c.fail([...p, k], 'a variable name [A-Za-z_][A-Za-z0-9_]*', k);
    if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') c.fail([...p, k], 'a string, number or boolean', x);
    out[k] = String(x);
  }
  return out;
}

export function parseSecrets(c: Checker, v: unknown, p: Path): Record<string, SecretSource> {
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

export function parseResources(c: Checker, v: unknown, p: Path): Resources {
  const o = c.object(v, p, ['memory', 'cpus', 'pids']);
  const r: Resources = {};
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

export function parseProbe(c: Checker, v: unknown, p: Path): ProbeConfig {
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

export function parseRollout(c: Checker, v: unknown, p: Path): RolloutConfig {
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
export function checkDeadline(c: Checker, raw: Record<string, unknown>, env: EnvironmentBase, p: Path): void {
  const d = env.rollout.deadline;
  const need = env.probe.startPeriod + env.probe.stability;
  if (d !== undefined && (d <= 0 || d <= need)) {
    c.fail([...p, 'rollout', 'deadline'], `a duration longer than probe.startPeriod + probe.stability (${need / 1000} s), or no deadline for the probe budget`, (raw.rollout as Record<string, unknown>).deadline);
  }
}
