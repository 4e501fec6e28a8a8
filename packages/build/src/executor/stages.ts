import { DockerfileError, quote } from '@pipeline/core';
import type { Dockerfile, Stage } from '../dockerfile/types.js';
import { stageFor } from '../dockerfile/stage.js';

/** Finds a stage by `AS` name (case-insensitive) or by index, among the stages before `before`. */
export function findStage(df: Dockerfile, ref: string, before = df.stages.length): Stage | undefined {
  const s = stageFor(df, ref);
  return s && s.index < before ? s : undefined;
}

/**
 * The target stage and every stage it needs (FROM <stage>, COPY --from=<stage>), in file order.
 * `fromText` expands a FROM word as the build will (global ARGs: `ARG BASE=builder` + `FROM ${BASE}`
 * names a stage, as it does for docker build).
 */
export function neededStages(df: Dockerfile, target?: string, fromText: (s: Stage) => string = (s) => s.from.image.text): Stage[] {
  let last = df.stages[df.stages.length - 1];
  if (target) {
    const t = findStage(df, target);
    if (!t) throw new DockerfileError(`Expected --target to name a stage, got ${quote(target)}`, { file: df.file }, `stages: ${df.stages.map((s) => s.name ?? String(s.index)).join(', ')}`);
    last = t;
  }
  const need = new Set<number>();
  const visit = (s: Stage) => {
    if (need.has(s.index)) return;
    need.add(s.index);
    // --from words are taken as written (their $ would need the stage's own ARGs).
    const refs = [fromText(s), ...s.instructions.flatMap((i) => (i.kind === 'COPY' || i.kind === 'ADD') && i.from ? [i.from.text] : [])];
    for (const r of refs) {
      const dep = findStage(df, r, s.index);
      if (dep) visit(dep);
    }
  };
  visit(last);
  return df.stages.filter((s) => need.has(s.index));
}
