import type { RawFlag } from './tokens.js';
import { cut, didYouMean, quote } from '@pipeline/core';

type Kind = 'string' | 'bool' | 'strings';

/** The flags each instruction accepts (moby instructions/parse.go and the RUN hooks). */
export const FLAGS: Record<string, Record<string, Kind>> = {
  FROM: { platform: 'string' },
  COPY: { from: 'string', chown: 'string', chmod: 'string', link: 'bool', exclude: 'strings', parents: 'bool' },
  ADD: { chown: 'string', chmod: 'string', link: 'bool', checksum: 'string', 'keep-git-dir': 'bool', unpack: 'bool', exclude: 'strings' },
  RUN: { mount: 'strings', network: 'string', security: 'string', device: 'strings' },
  HEALTHCHECK: { interval: 'string', timeout: 'string', 'start-period': 'string', 'start-interval': 'string', retries: 'string' },
};

export interface FlagProblem {
  offset: number;
  message: string;
  hint?: string;
}

/** Checks flags as moby's BFlags.Parse does; booleans are normalised to "true"/"false". */
export function checkFlags(keyword: string, flags: RawFlag[]): FlagProblem | undefined {
  const allowed = FLAGS[keyword] ?? {};
  const names = Object.keys(allowed);
  const accepts = names.length ? `${keyword} accepts ${names.map((n) => `--${n}`).join(' ')}` : `${keyword} accepts no flags`;
  const seen = new Set<string>();
  for (const f of flags) {
    const kind = allowed[f.name];
    if (!kind) {
      const elsewhere = Object.entries(FLAGS).filter(([, v]) => f.name in v).map(([k]) => k);
      const near = didYouMean(f.name, names);
      const hint = near ? `did you mean --${near}? ${accepts}` : elsewhere.length ? `--${cut(f.name)} belongs to ${elsewhere.join('/')}; ${accepts}` : accepts;
      return { offset: f.offset, message: `unknown flag --${cut(f.name)} for ${keyword}`, hint };
    }
    if (seen.has(f.name) && kind !== 'strings') return { offset: f.offset, message: `--${cut(f.name)} is given twice`, hint: 'Expected each flag at most once' };
    seen.add(f.name);
    if (kind === 'bool') {
      if (f.value === '') return { offset: f.offset, message: `--${cut(f.name)}= needs a value`, hint: `Expected --${cut(f.name)}, --${cut(f.name)}=true or --${cut(f.name)}=false` };
      const v = (f.value ?? 'true').toLowerCase();
      if (v !== 'true' && v !== 'false') return { offset: f.valueOffset, message: `Expected true or false for --${cut(f.name)}, got ${quote(f.value)}` };
      f.value = v;
    } else if (f.value === undefined) {
      return { offset: f.offset, message: `--${cut(f.name)} needs a value`, hint: `Expected --${cut(f.name)}=<value>` };
    }
  }
  return undefined;
}
