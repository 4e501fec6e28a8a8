import type { GitopsEdit, GitopsRepository, VerifyConfig } from './gitops-types.js';

/** What every environment has, whatever its target. Durations are milliseconds. */
export interface EnvironmentBase {
  name: string;
  /** Names containers, services and labels; defaults to the environment's image repository basename. */
  app?: string;
  /** Repository to deploy (`127.0.0.1:5000/team/app`); the digest comes from the build or a flag. */
  image?: string;
  env: Record<string, string>;
  secrets: Record<string, SecretSource>;
  probe: ProbeConfig;
  rollout: RolloutConfig;
  lock: { wait: number; stale: number };
  prune: { keep: number; auto: boolean };
  /** Where the audit trail goes besides the target's own store. */
  history?: { git?: GitRecordConfig };
}

/** One validated environment from `environments:` in pipeline.yml, by target kind (`target:`, default docker). */
export type DeployEnvironment = DockerEnvironment | SwarmEnvironment | GitopsEnvironment;

/** The kinds whose deploys talk to Docker engines (each host, or a Swarm's manager). */
export type EngineEnvironment = DockerEnvironment | SwarmEnvironment;

/** `target: gitops`: a deploy is a commit to a manifests repository (Argo CD or Flux applies it), verified or reverted. */
export interface GitopsEnvironment extends EnvironmentBase {
  target: 'gitops';
  repository: GitopsRepository;
  /** The files and fields that name the image; at least one. */
  edits: GitopsEdit[];
  verify?: VerifyConfig;
  /** A rejected push (someone else landed first) is redone on the new tip: this many rounds, waits up to maxDelay ms. */
  push: { attempts: number; maxDelay: number };
}

/** `target: docker` (the default): containers on one or many Docker engines. */
export interface DockerEnvironment extends EnvironmentBase {
  target: 'docker';
  hosts: HostConfig[];
  /** Containers per host. */
  replicas: number;
  /** `host` shares the host's network (the app listens on $PORT); `bridge` publishes a pool port. */
  network: 'bridge' | 'host' | string;
  /** The port the app listens on inside the container (bridge) — probes and the proxy reach it via a pool port. */
  port: number;
  /** Host ports handed to replicas, one each; start-first needs replicas + batch of them. */
  hostPorts: { from: number; to: number };
  /** Fixed extra publishes (`8080:80`): only possible with one container per host at a time. */
  ports: PortMapping[];
  volumes: string[];
  restart: 'no' | 'always' | 'unless-stopped' | 'on-failure';
  init: boolean;
  resources: Resources;
  logging?: { driver: string; options: Record<string, string> };
  proxy?: ProxyConfig;
}

/**
 * `target: swarm`: a stack of services on a Swarm, through a manager's engine, updated by Swarm's own
 * rolling update and verified from outside with the probes. Services are named `<stack>_<service>` and
 * labelled like `docker stack deploy` does; each is updated in the order listed.
 */
export interface SwarmEnvironment extends EnvironmentBase {
  target: 'swarm';
  /** The engine of a Swarm manager (unix, tcp + TLS, ssh: as a docker host). */
  manager: HostConfig;
  /** Stack (namespace) of the services; default: the app name. */
  stack: string;
  services: SwarmServiceConfig[];
}

export interface SwarmServiceConfig {
  /** The key under `services:`; the Swarm service is `<stack>_<name>`. */
  name: string;
  /**
   * Repository: unset or the deployed repository takes the deploy's digest; any other image must be
   * pinned `repo@sha256:…` (images always by digest).
   */
  image?: string;
  replicas: number;
  /** Arguments (the image's CMD replaced). */
  command?: string[];
  /** The environment's env with the service's own on top. */
  env: Record<string, string>;
  /** The environment's secrets with the service's own: Swarm secrets, mounted at /run/secrets/KEY, KEY_FILE in env. */
  secrets: Record<string, SecretSource>;
  /** Published in host mode (no routing mesh): each task on a port of its node, the given one or one Swarm picks. */
  ports: SwarmPort[];
  /** The target port the probes use (default: the first tcp port); none: verified by its tasks staying up. */
  probePort?: number;
  /** Overlay networks, created when missing; default `<stack>_default`. */
  networks: string[];
  placement: { constraints: string[]; preferences: string[]; maxReplicas?: number };
  resources: Resources;
  labels: Record<string, string>;
}

export interface SwarmPort { target: number; published?: number; protocol: 'tcp' | 'udp' }

/** GitOps record: each history entry appended as a JSON line to `file` on `branch`, committed (and pushed to `remote`). */
export interface GitRecordConfig {
  branch: string;
  /** Path inside the branch; default `deploys/<environment>.jsonl`. */
  file: string;
  /** A remote name or URL to push the branch to after each record. */
  remote?: string;
  /** The repository, relative to pipeline.yml's directory; default `.` (the deploy repo itself). */
  repo: string;
}

export interface HostConfig {
  /** `unix:///var/run/docker.sock`, `tcp://10.0.0.2:2376`, `ssh://deploy@web1[:22]`. */
  url: string;
  /** The address probes and the proxy use to reach this host's containers. */
  address: string;
  /**
   * TLS for tcp:// (docker CLI semantics): `verify` is --tlsverify (the server's certificate must chain to `ca`,
   * or to the system's roots without one, and name the host); cert + key are the client's --tlscert/--tlskey.
   */
  tls?: { ca?: string; cert?: string; key?: string; verify: boolean };
  /** ssh private key file. */
  identity?: string;
  /** ssh: an OpenSSH known_hosts file; the host's key must be listed there (else ~/.ssh/known_hosts, where a listed key must match). */
  knownHosts?: string;
}

export interface Resources { memory?: number; cpus?: number; pids?: number }
export interface PortMapping { host: number; container: number; protocol: 'tcp' | 'udp' }
export type SecretSource = { env: string } | { file: string };

export interface ProbeConfig {
  http?: { path: string; status: number; host?: string };
  tcp?: boolean;
  exec?: string[];
  /** Wait for the image's own HEALTHCHECK to report healthy. */
  healthcheck?: boolean;
  interval: number;
  timeout: number;
  /** Consecutive failures after the start period that fail the container. */
  retries: number;
  startPeriod: number;
  /** Healthy this long, without a failure, before a container counts. */
  stability: number;
}

export interface RolloutConfig {
  /** Containers per batch across the fleet: a count or a percentage of all replicas. */
  batch: number | { percent: number };
  order: 'start-first' | 'stop-first';
  /** After the last batch, keep probing and watching the proxy this long. */
  watch: number;
  /** 5xx share of proxied responses in the watch window above which the deploy rolls back. */
  maxErrorRate: number;
  /** How long a drained container keeps its connections before it is stopped. */
  drain: number;
  /** How long a batch may take to hold stable health; unset: the probe budget (see probe/budget.ts). */
  deadline?: number;
}

export interface ProxyConfig {
  kind: 'haproxy';
  /** HAProxy admin socket (`stats socket ... level admin`). */
  socket: string;
  backend: string;
}

export type DeployEnvironments = Record<string, DeployEnvironment>;
