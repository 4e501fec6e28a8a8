import { DockerfileError, quote } from '@pipeline/core';
import { hasGlob, resolveSource, type Ignore } from '../context/index.js';
import { expandWord } from '../dockerfile/index.js';
import type { Dockerfile, Word } from '../dockerfile/types.js';
import { isRemoteUrl } from './fetch-url.js';
import { neededStages } from './stages.js';
import { parseOwnerSpec } from './users.js';

/**
 * Checks what can be checked of every COPY/ADD before anything is built: each context source
 * exists (after .dockerignore; a wildcard may match nothing), --chown is `user[:group]` with ids in
 * range, --chmod is octal. A push starts on the first layer, so a later `COPY nosuch` must fail
 * before any blob leaves. Words with variables are left to the step itself (their values come
 * from the base image's ENV).
 */
export async function checkSources(df: Dockerfile, o: { context: string; ignore: Ignore; target?: string }): Promise<void> {
  const literal = (w: Word): string | undefined => {
    let usesVar = false;
    const text = expandWord(w, () => {
      usesVar = true;
      return undefined;
    }, { file: df.file, escape: df.escape });
    return usesVar ? undefined : text;
  };
  for (const stage of neededStages(df, o.target)) {
    for (const ins of stage.instructions) {
      if (ins.kind !== 'COPY' && ins.kind !== 'ADD') continue;
      const chown = ins.chown && literal(ins.chown);
      if (chown !== undefined && chown !== '') parseOwnerSpec(chown, { file: df.file, pos: ins.chown!.pos });
      const chmod = ins.chmod && literal(ins.chmod);
      if (chmod !== undefined && chmod !== '' && !/^[0-7]{1,4}$/.test(chmod)) throw new DockerfileError(`Expected --chmod as octal like 0755, got ${quote(chmod)}`, { file: df.file, ...ins.chmod!.pos });
      if (ins.from) continue;
      for (const w of ins.sources) {
        const src = literal(w);
        if (src === undefined || (ins.kind === 'ADD' && isRemoteUrl(src))) continue;
        await resolveSource(o.context, src, { ignore: o.ignore, where: { file: df.file, ...w.pos }, allowEmpty: hasGlob(src) });
      }
    }
  }
}
