import type { Instance } from '../../../model/instance.js';

/** How traffic moves between instances; the rollout calls it, a proxy (or nothing) implements it. */
export interface TrafficSwitch {
  /** Puts a healthy new instance into rotation. */
  add(inst: Instance): Promise<void>;
  /** Stops new requests to the instance; in-flight ones finish. Resolves when it holds no connections (or the deadline passes). */
  drain(inst: Instance, deadlineMs: number): Promise<void>;
  remove(inst: Instance): Promise<void>;
  /** Total and 5xx responses so far, for the post-switch watch. */
  counters?(): Promise<{ requests: number; errors: number }>;
  /** Makes the rotation hold exactly these healthy instances (after an interrupted deploy). */
  sync?(running: Instance[]): Promise<void>;
}

/** No proxy: traffic reaches containers directly (fixed ports or the host's own routing). */
export const noSwitch: TrafficSwitch = {
  add: async () => {},
  drain: async () => {},
  remove: async () => {},
};
