import type { Dockerfile, Stage } from './types.js';

/**
 * Resolves a `--from` / `--target` value to a stage: an `AS` name (case-insensitive, as Docker)
 * or a stage index. undefined means it is not a stage, so for COPY --from it names an image.
 */
export function stageFor(df: Dockerfile, ref: string): Stage | undefined {
  const name = ref.toLowerCase();
  const byName = df.stages.find((s) => s.name === name);
  if (byName) return byName;
  return /^\d+$/.test(ref) ? df.stages[Number(ref)] : undefined;
}
