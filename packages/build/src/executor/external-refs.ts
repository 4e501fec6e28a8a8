import { expandWord } from '../dockerfile/lex.js';
import type { Dockerfile, Word } from '../dockerfile/types.js';
import { neededStages, findStage } from './stages.js';

/**
 * The images a build reads from outside (FROM and COPY/ADD --from that name no stage), as the
 * executor will see their names: ARGs before the first FROM expanded with the build args. A name
 * that still holds a variable (a stage-local ARG) is left out: it is only known while building.
 * Part of an image's inputs, so a plan can resolve each to a digest before deciding to rebuild.
 */
export function externalImageRefs(df: Dockerfile, buildArgs: Record<string, string> = {}, target?: string): string[] {
  const global = new Map<string, string | undefined>();
  const xopts = { file: df.file, escape: df.escape };
  for (const ins of df.globalArgs) {
    for (const a of ins.args) {
      const given = Object.hasOwn(buildArgs, a.name) ? buildArgs[a.name] : undefined;
      global.set(a.name, given ?? (a.value ? expandWord(a.value, (n) => global.get(n), xopts) : undefined));
    }
  }
  const expand = (w: Word): string | undefined => {
    let unknown = false;
    try {
      const t = expandWord(w, (n) => (global.has(n) ? global.get(n) : ((unknown = true), undefined)), xopts);
      return t && !unknown ? t : undefined;
    } catch {
      return undefined;
    }
  };
  const out = new Set<string>();
  for (const stage of neededStages(df, target)) {
    const from = expand(stage.from.image);
    if (from && from !== 'scratch' && !findStage(df, from, stage.index)) out.add(from);
    for (const ins of stage.instructions) {
      if ((ins.kind !== 'COPY' && ins.kind !== 'ADD') || !ins.from) continue;
      const ref = ins.from.text.includes('$') ? expand(ins.from) : ins.from.text;
      if (ref && !findStage(df, ref, stage.index)) out.add(ref);
    }
  }
  return [...out].sort();
}
