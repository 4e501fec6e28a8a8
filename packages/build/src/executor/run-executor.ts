import type { StepRunner } from './native.js';

/** What runs RUN steps (engine, chroot): the step runner and the clean-up of everything it made. */
export interface RunExecutor {
  run: NonNullable<StepRunner['run']>;
  /** Removes what the executor made (live roots, engine images and containers); safe to call twice. */
  dispose(): Promise<void>;
}
