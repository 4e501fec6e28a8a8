import type { Checker, Path } from './check.js';
import { checkDeadline, parseBase, parseEnv, parseResources } from './common.js';
import { parseHost } from './hosts.js';
import type { DockerEnvironment, PortMapping } from './types.js';

const DOCKER_KEYS = ['app', 'image', 'hosts', 'replicas', 'network', 'port', 'hostPorts', 'ports', 'env', 'secrets', 'volumes', 'restart', 'init', 'resources', 'logging', 'probe', 'rollout', 'proxy', 'lock', 'prune', 'history', 'target'] as const;

/** `target: docker` (the default): Docker engines by URL, containers per host, an optional HAProxy switch. */
export function parseDockerEnvironment(c: Checker, name: string, raw: unknown): DockerEnvironment {
  const p: Path = [name];
  const o = c.object(raw, p, DOCKER_KEYS);
  const hostsRaw = c.array(o.hosts, [...p, 'hosts']);
  if (hostsRaw.length === 0) c.fail([...p, 'hosts'], 'at least one host', hostsRaw);
  const hosts = hostsRaw.map((h, i) => parseHost(c, h, [...p, 'hosts', i]));
  const seen = new Map<string, number>();
  hosts.forEach((h, i) => {
    if (seen.has(h.url)) c.fail([...p, 'hosts', i], `each host once (already at hosts.${seen.get(h.url)})`, h.url);
    seen.set(h.url, i);
  });
  const base = parseBase(c, name, o, p);
  const env: DockerEnvironment = {
    ...base,
    target: 'docker',
    hosts,
    replicas: o.replicas === undefined ? 1 : c.int(o.replicas, [...p, 'replicas'], 1, 100),
    network: o.network === undefined ? 'bridge' : c.string(o.network, [...p, 'network']),
    port: o.port === undefined ? 80 : c.int(o.port, [...p, 'port'], 1, 65535),
    hostPorts: parseRange(c, o.hostPorts ?? '20000-20099', [...p, 'hostPorts']),
    ports: o.ports === undefined ? [] : c.array(o.ports, [...p, 'ports']).map((x, i) => parsePort(c, x, [...p, 'ports', i])),
    volumes: o.volumes === undefined ? [] : c.array(o.volumes, [...p, 'volumes']).map((v, i) => parseVolume(c, v, [...p, 'volumes', i])),
    restart: o.restart === undefined ? 'unless-stopped' : c.oneOf(o.restart, [...p, 'restart'], ['no', 'always', 'unless-stopped', 'on-failure'] as const),
    init: o.init === undefined ? true : c.bool(o.init, [...p, 'init']),
    resources: o.resources === undefined ? {} : parseResources(c, o.resources, [...p, 'resources']),
  };
  if (o.logging !== undefined) {
    const l = c.object(o.logging, [...p, 'logging'], ['driver', 'options']);
    env.logging = { driver: l.driver === undefined ? 'json-file' : c.string(l.driver, [...p, 'logging', 'driver']), options: l.options === undefined ? {} : parseEnv(c, l.options, [...p, 'logging', 'options']) };
  }
  if (o.proxy !== undefined) {
    const x = c.object(o.proxy, [...p, 'proxy'], ['haproxy']);
    const h = c.object(x.haproxy, [...p, 'proxy', 'haproxy'], ['socket', 'backend']);
    env.proxy = { kind: 'haproxy', socket: c.string(h.socket, [...p, 'proxy', 'haproxy', 'socket']), backend: c.string(h.backend, [...p, 'proxy', 'haproxy', 'backend']) };
  }
  checkPorts(c, env, p);
  checkDeadline(c, o, env, p);
  return env;
}

/** Clashes: a fixed host port can hold one container per host, and the pool must fit old + new containers. */
function checkPorts(c: Checker, env: DockerEnvironment, p: Path): void {
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

function parseVolume(c: Checker, v: unknown, p: Path): string {
  const s = c.string(v, p);
  const parts = s.split(':');
  if (parts.length < 2 || parts.length > 3 || !parts[1].startsWith('/') || (parts[2] !== undefined && !/^(ro|rw)$/.test(parts[2]))) {
    c.fail(p, 'SOURCE:/container/path[:ro|rw]', s);
  }
  return s;
}
