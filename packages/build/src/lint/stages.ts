import type { Dockerfile, Instruction, RunInstruction, Stage } from '../dockerfile/types.js';

export const finalStage = (df: Dockerfile): Stage | undefined => df.stages[df.stages.length - 1];

/** The stage a FROM names (`FROM builder`), if it names an earlier stage rather than an image. */
export function parentStage(df: Dockerfile, stage: Stage): Stage | undefined {
  const name = stage.from.image.text.toLowerCase();
  return df.stages.slice(0, stage.index).reverse().find((s) => s.name === name);
}

/** The stages whose layers end up in the image: the final one and the stages it is built FROM. */
export function shippedStages(df: Dockerfile): Stage[] {
  const out: Stage[] = [];
  for (let s = finalStage(df); s && !out.includes(s); s = parentStage(df, s)) out.unshift(s);
  return out;
}

export const isRun = (i: Instruction): i is RunInstruction => i.kind === 'RUN';

export const allInstructions = (df: Dockerfile): Instruction[] => [...df.globalArgs, ...df.stages.flatMap((s) => [s.from, ...s.instructions])];
