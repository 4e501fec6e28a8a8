import type { Hit, Rule } from '../types.js';

/** `FROM node` and `FROM node:latest` build on whatever the tag means today. */
export const unpinnedFrom: Rule = {
  id: 'PL007',
  severity: 'error',
  title: 'FROM without a version tag, or with :latest',
  check(df, ctx) {
    const names = new Set<string>((ctx?.pipelineImages ?? []).map((n) => n.toLowerCase()));
    const hits: Hit[] = [];
    for (const s of df.stages) {
      const text = s.from.image.text;
      const lower = text.toLowerCase();
      const known = names.has(lower);
      if (s.name) names.add(s.name);
      if (known || lower === 'scratch' || text.includes('@')) continue;
      const last = text.split('/').pop()!;
      const colon = last.lastIndexOf(':');
      const tag = colon >= 0 ? last.slice(colon + 1) : undefined;
      if (tag === undefined && text.includes('$')) continue; // FROM $BASE: the build decides
      if (tag === undefined || tag === 'latest') {
        const name = colon >= 0 ? text.slice(0, text.length - last.length + colon) : text;
        hits.push({ pos: s.from.image.pos, message: `FROM ${text}${tag ? '' : ' has no tag, so it means :latest'}: the base changes under you and builds stop being reproducible`, fix: `FROM ${name}:<version> (best with @sha256:<digest>)` });
      }
    }
    return hits;
  },
};
