import type { Instance, Target } from '../target/target.js';

export interface ProbeResult { ok: boolean; output: string }

/** One health check of one instance; `name` is what a failure account shows (`http GET /health`). */
export interface Probe {
  readonly name: string;
  check(inst: Instance, target: Target, timeoutMs: number): Promise<ProbeResult>;
}
