import type { Instance, InstanceRuntime } from '../model/instance.js';

export interface ProbeResult { ok: boolean; output: string }

/** One health check of one instance; `name` is what a failure account shows (`http GET /health`). */
export interface Probe {
  readonly name: string;
  check(inst: Instance, runtime: InstanceRuntime, timeoutMs: number): Promise<ProbeResult>;
}
