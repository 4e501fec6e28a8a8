import { parseReference, quote } from '@pipeline/core';
import type { Checker, Path } from './check.js';
import { checkDeadline, NAME, parseBase, parseEnv, parseResources, parseSecrets } from './common.js';
import { parseHost } from './hosts.js';
import type { SwarmEnvironment, SwarmPort, SwarmServiceConfig } from './types.js';

const SWARM_KEYS = ['app', 'image', 'manager', 'stack', 'services', 'env', 'secrets', 'probe', 'rollout', 'lock', 'prune', 'history', 'target'] as const;
const SERVICE_KEYS = ['image', 'replicas', 'command', 'env', 'secrets', 'ports', 'port', 'networks', 'placement', 'resources', 'labels'] as const;
const CONSTRAINT = /^(node|engine)\.[A-Za-z0-9_.-]+\s*(==|!=)\s*\S.*$/;
const PREFERENCE = /^spread=(node|engine)\.[A-Za-z0-9_.-]+$/;

/** `target: swarm`: a manager's engine, a stack of services, Swarm's rolling update verified by the probes. */
export function parseSwarmEnvironment(c: Checker, name: string, raw: unknown): SwarmEnvironment {
  const p: Path = [name];
  const o = c.object(raw, p, SWARM_KEYS);
  if (o.manager === undefined) c.fail([...p, 'manager'], 'the engine of a Swarm manager (unix:///var/run/docker.sock, tcp://HOST:PORT or ssh://USER@HOST)', undefined);
  const manager = parseHost(c, o.manager, [...p, 'manager']);
  const base = parseBase(c, name, o, p);
  const stackName = o.stack ?? base.app ?? (base.image ? lastPart(base.image) : undefined);
  if (stackName === undefined) c.fail([...p, 'stack'], 'stack, app or image to name the stack', undefined);
  const stack = c.string(stackName, [...p, o.stack !== undefined ? 'stack' : 'app']);
  if (!NAME.test(stack)) c.fail([...p, 'stack'], 'a stack name of lowercase letters, digits, ., _ and -', stack);
  const rawServices = c.object(o.services, [...p, 'services']);
  if (!Object.keys(rawServices).length) c.fail([...p, 'services'], 'at least one service', rawServices);
  const env: SwarmEnvironment = { ...base, target: 'swarm', manager, stack, services: [] };
  for (const [svc, v] of Object.entries(rawServices)) env.services.push(parseService(c, env, svc, v, [...p, 'services', svc]));
  checkImages(c, env, p);
  const probe = (o.probe ?? {}) as Record<string, unknown>;
  if (env.probe.exec) c.fail([...p, 'probe', 'exec'], 'http, tcp or healthcheck probes with target: swarm (probes run from outside, against each task\'s published port)', probe.exec);
  const rollout = (o.rollout ?? {}) as Record<string, unknown>;
  if (rollout.maxErrorRate !== undefined) c.fail([...p, 'rollout', 'maxErrorRate'], 'no maxErrorRate with target: swarm (it reads a proxy\'s 5xx count; Swarm has none here)', rollout.maxErrorRate);
  checkDeadline(c, o, env, p);
  return env;
}

function parseService(c: Checker, env: SwarmEnvironment, name: string, raw: unknown, p: Path): SwarmServiceConfig {
  if (!NAME.test(name)) c.fail(p, 'a service name of lowercase letters, digits, ., _ and -', name);
  if (`${env.stack}_${name}`.length > 63) c.fail(p, `a stack and service name of at most 62 characters together (Swarm's limit for ${env.stack}_${name})`, name);
  const o = c.object(raw ?? {}, p, SERVICE_KEYS);
  const s: SwarmServiceConfig = {
    name,
    replicas: o.replicas === undefined ? 1 : c.int(o.replicas, [...p, 'replicas'], 1, 100),
    env: { ...env.env, ...(o.env === undefined ? {} : parseEnv(c, o.env, [...p, 'env'])) },
    secrets: { ...env.secrets, ...(o.secrets === undefined ? {} : serviceSecrets(c, env, o.secrets, [...p, 'secrets'])) },
    ports: o.ports === undefined ? [] : c.array(o.ports, [...p, 'ports']).map((x, i) => parseSwarmPort(c, x, [...p, 'ports', i])),
    networks: o.networks === undefined ? [`${env.stack}_default`] : c.array(o.networks, [...p, 'networks']).map((x, i) => networkName(c, x, [...p, 'networks', i])),
    placement: { constraints: [], preferences: [] },
    resources: o.resources === undefined ? {} : parseResources(c, o.resources, [...p, 'resources']),
    labels: o.labels === undefined ? {} : parseLabels(c, o.labels, [...p, 'labels']),
  };
  if (o.image !== undefined) {
    s.image = c.string(o.image, [...p, 'image']);
    try {
      parseReference(s.image);
    } catch {
      c.fail([...p, 'image'], 'an image repository (registry/repo) or a pinned repo@sha256:…', s.image);
    }
  }
  if (o.command !== undefined) {
    const cmd = c.array(o.command, [...p, 'command']);
    if (!cmd.length) c.fail([...p, 'command'], 'a command as a non-empty list of strings', cmd);
    s.command = cmd.map((x, i) => c.string(x, [...p, 'command', i]));
  }
  if (o.placement !== undefined) parsePlacement(c, s, o.placement, [...p, 'placement']);
  const tcp = s.ports.filter((x) => x.protocol === 'tcp');
  if (o.port !== undefined) {
    s.probePort = c.int(o.port, [...p, 'port'], 1, 65535);
    if (!tcp.some((x) => x.target === s.probePort)) c.fail([...p, 'port'], `one of the service's tcp ports (${tcp.map((x) => x.target).join(', ') || 'none published'})`, o.port);
  } else if (tcp.length) s.probePort = tcp[0].target;
  s.ports.forEach((x, i) => {
    if (x.published === undefined) return;
    if (env.rollout.order === 'start-first') c.fail([...p, 'ports', i], 'a port without a fixed published port with order start-first (old and new task of a slot side by side cannot bind one host port); publish TARGET only, or use stop-first', `${x.published}:${x.target}`);
    if (s.replicas > 1 && s.placement.maxReplicas !== 1) c.fail([...p, 'ports', i], 'placement.maxReplicas: 1 with a fixed published port and more than one replica (one task per node can bind it)', `${x.published}:${x.target}`);
  });
  return s;
}

/** A service's own secrets; a key the environment (or another service) reads from elsewhere would be two values under one name. */
function serviceSecrets(c: Checker, env: SwarmEnvironment, v: unknown, p: Path): SwarmServiceConfig['secrets'] {
  const own = parseSecrets(c, v, p);
  const elsewhere = [{ secrets: env.secrets }, ...env.services];
  for (const [k, src] of Object.entries(own)) {
    const same = (a: object, b: object) => Object.entries(a).sort().join('\n') === Object.entries(b).sort().join('\n');
    const other = elsewhere.map((x) => x.secrets[k]).find((x) => x && !same(x, src));
    const said = (x: object) => Object.entries(x).map(([kind, v]) => `${kind}: ${quote(v)}`).join(', ');
    if (other) c.fail([...p, k], `the same source as the other ${k} (${said(other)}): one key, one value`, src);
  }
  return own;
}

/** `80`, `"80/udp"`, `"8080:80"`: the target port, published on a port Swarm picks unless given. */
function parseSwarmPort(c: Checker, v: unknown, p: Path): SwarmPort {
  const m = typeof v === 'number' ? [String(v), undefined, String(v)] : typeof v === 'string' ? /^(?:(\d+):)?(\d+)(?:\/(tcp|udp))?$/.exec(v) : null;
  const ok = (n: string | undefined) => n === undefined || (+n >= 1 && +n <= 65535);
  if (!m || !ok(m[1]) || !ok(m[2])) c.fail(p, 'TARGET or PUBLISHED:TARGET[/tcp|udp] with ports 1-65535', v);
  const port: SwarmPort = { target: Number(m![2]), protocol: ((m as string[])[3] as 'tcp' | 'udp' | undefined) ?? 'tcp' };
  if (m![1] !== undefined) port.published = Number(m![1]);
  return port;
}

function networkName(c: Checker, v: unknown, p: Path): string {
  const s = c.string(v, p);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(s)) c.fail(p, 'a network name of letters, digits, ., _ and -', s);
  return s;
}

function parsePlacement(c: Checker, s: SwarmServiceConfig, v: unknown, p: Path): void {
  const o = c.object(v, p, ['constraints', 'preferences', 'maxReplicas']);
  if (o.constraints !== undefined) {
    s.placement.constraints = c.array(o.constraints, [...p, 'constraints']).map((x, i) => {
      const t = c.string(x, [...p, 'constraints', i]);
      if (!CONSTRAINT.test(t)) c.fail([...p, 'constraints', i], 'a constraint like node.role==manager or node.labels.zone!=a', t);
      return t;
    });
  }
  if (o.preferences !== undefined) {
    s.placement.preferences = c.array(o.preferences, [...p, 'preferences']).map((x, i) => {
      const t = c.string(x, [...p, 'preferences', i]);
      if (!PREFERENCE.test(t)) c.fail([...p, 'preferences', i], 'a preference like spread=node.labels.zone', t);
      return t;
    });
  }
  if (o.maxReplicas !== undefined) s.placement.maxReplicas = c.int(o.maxReplicas, [...p, 'maxReplicas'], 1, 100);
}

function parseLabels(c: Checker, v: unknown, p: Path): Record<string, string> {
  const o = c.object(v, p);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(o)) {
    if (k.startsWith('dev.pipeline.') || k.startsWith('com.docker.')) c.fail([...p, k], 'a label of your own (dev.pipeline.* and com.docker.* are set by pipeline and Docker)', k);
    if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') c.fail([...p, k], 'a string, number or boolean', x);
    out[k] = String(x);
  }
  return out;
}

/** Images always by digest: a repository without one must be the one deployed (the environment's image, or one shared by all). */
function checkImages(c: Checker, env: SwarmEnvironment, p: Path): void {
  const unpinned = env.services.filter((s) => s.image && !parseReference(s.image).digest);
  const repo = (r: string) => {
    const x = parseReference(r);
    return `${x.registry}/${x.repository}`;
  };
  const deployed = env.image ? repo(env.image) : unpinned[0]?.image ? repo(unpinned[0].image) : undefined;
  for (const s of unpinned) {
    if (repo(s.image!) !== deployed) {
      c.fail([...p, 'services', s.name, 'image'], `${deployed} (the deployed repository, which takes the deploy's digest) or a pinned repo@sha256:… (images always by digest)`, s.image);
    }
  }
}

function lastPart(image: string): string {
  return parseReference(image).repository.split('/').pop()!;
}
