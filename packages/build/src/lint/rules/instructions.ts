import type { Hit, Rule } from '../types.js';
import { allInstructions } from '../stages.js';

const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst)$/i;
const REMOTE = /^(https?:\/\/|git@|git:\/\/|ssh:\/\/)/i;

export const addForCopy: Rule = {
  id: 'PL008',
  severity: 'warning',
  title: 'ADD where COPY does the job',
  check(df) {
    return allInstructions(df).flatMap((i): Hit[] => {
      if (i.kind !== 'ADD' || i.checksum || i.keepGitDir) return [];
      if (i.sources.some((s) => REMOTE.test(s.text) || ARCHIVE.test(s.text))) return [];
      return [{ pos: i.pos, message: 'ADD of local files: ADD also fetches URLs and unpacks archives, so readers must guess which you meant', fix: i.raw.replace(/^\s*ADD\b/i, 'COPY') }];
    });
  },
};

export const relativeWorkdir: Rule = {
  id: 'PL012',
  severity: 'warning',
  title: 'relative WORKDIR',
  check(df) {
    return allInstructions(df).flatMap((i): Hit[] => {
      if (i.kind !== 'WORKDIR') return [];
      const p = i.path.text.replace(/^["']|["']$/g, '');
      return p.startsWith('/') || p.startsWith('$') || /^[A-Za-z]:[\\/]/.test(p) ? [] : [{ pos: i.path.pos, message: `WORKDIR ${p} is relative to whatever the previous WORKDIR was, possibly set by the base image`, fix: `WORKDIR /${p.replace(/^\.\//, '')}` }];
    });
  },
};

export const maintainer: Rule = {
  id: 'PL013',
  severity: 'warning',
  title: 'MAINTAINER is deprecated',
  check(df) {
    return allInstructions(df).flatMap((i): Hit[] =>
      i.kind === 'MAINTAINER' ? [{ pos: i.pos, message: 'MAINTAINER is deprecated since Docker 1.13', fix: `LABEL org.opencontainers.image.authors=${JSON.stringify(i.name)}` }] : [],
    );
  },
};
