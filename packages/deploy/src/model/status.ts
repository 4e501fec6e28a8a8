import type { Digest } from '@pipeline/core';
import type { LockInfo } from './store.js';

export interface InstanceStatus {
  name: string;
  digest: Digest;
  sha?: string;
  running: boolean;
  /** From the environment's probes (and the image's HEALTHCHECK); `none`: nothing checks it. */
  health: 'healthy' | 'unhealthy' | 'starting' | 'none' | 'stopped';
  /** Why it is unhealthy: the failing probe and its output. */
  check?: string;
  uptimeMs?: number;
  port: number;
  /** The Swarm node it runs on. */
  node?: string;
  deployId?: string;
}

export interface EnvironmentStatus {
  /** Per place (host, Swarm service): its instances. */
  hosts: Record<string, InstanceStatus[]>;
  /** Running versions and how many instances run each: more than one means an interrupted deploy. */
  versions: { digest: Digest; sha?: string; running: number }[];
  /** More than one version runs, or an update was left half done: `pipeline status` converges it. */
  mixed: boolean;
  lock: Record<string, LockInfo | undefined>;
  /** Target-specific lines for the human view (a Swarm service's update state). */
  notes?: string[];
}
