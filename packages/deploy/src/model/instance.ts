import type { Digest } from '@pipeline/core';

/**
 * One unit of the app on a target, as read back from the target itself: a container on a host,
 * a task of a Swarm service, a place in a manifests repository that names the image.
 */
export interface Instance {
  /** Where it is: the host URL, the Swarm service, the manifest file. */
  host: string;
  id: string;
  name: string;
  digest: Digest;
  image: string;
  sha?: string;
  deployId?: string;
  previous?: Digest;
  running: boolean;
  /** The engine's own word (`running`, `exited`, `created` = never started, `restarting`, `paused`, `dead`). */
  state?: string;
  /** The image HEALTHCHECK's verdict when there is one. */
  health?: 'starting' | 'healthy' | 'unhealthy';
  startedAt?: string;
  createdAt: string;
  /** The Swarm node a task runs on (its hostname). */
  node?: string;
  /** Where probes and the proxy reach it. */
  address: string;
  port: number;
  /** Key → short hash of each env value (secret keys hashed too, values never stored). */
  envHash: Record<string, string>;
  /** Fixed publishes (`8080:80/tcp`). */
  ports: string[];
}

export interface InstanceHealth { running: boolean; health?: Instance['health']; log?: string; exitCode?: number; startedAt?: string }

/** What probes may ask of the place an instance runs (the exec and HEALTHCHECK probes, a failure's log lines). */
export interface InstanceRuntime {
  logs(inst: Instance, lines: number): Promise<string>;
  exec(inst: Instance, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }>;
  inspectHealth(inst: Instance): Promise<InstanceHealth>;
}
