import { sanitizeTag } from '@pipeline/build';
import type { Facts } from './facts.js';

/**
 * The docker plugins' `auto_tag` (drone-docker's DefaultTags, as Woodpecker's buildx plugin has it):
 * a tag push `v1.2.3` gives 1, 1.2 and 1.2.3 (a 0.x version 0.1 and 0.1.2, digits kept as written;
 * a pre-release or build metadata the version alone); the default branch gives `latest`; any other
 * branch nothing. With a suffix every tag gets `-suffix` and `latest` becomes the suffix itself.
 * Where drone-docker fails on a tag that is no version, this tags with the tag's own name.
 */
export function autoTags(facts: Pick<Facts, 'git' | 'tag'>, suffix?: string): string[] {
  let tags: string[] = [];
  if (facts.tag) {
    const m = /^v?(\d+)\.(\d+)\.(\d+)([-+].*)?$/.exec(facts.tag);
    if (!m) tags = [sanitizeTag(facts.tag)];
    else if (m[4]) tags = [sanitizeTag(facts.tag.replace(/^v/, ''))];
    else if (Number(m[1]) === 0) tags = [`${m[1]}.${m[2]}`, `${m[1]}.${m[2]}.${m[3]}`];
    else tags = [m[1], `${m[1]}.${m[2]}`, `${m[1]}.${m[2]}.${m[3]}`];
  } else if (facts.git?.branch && facts.git.branch === facts.git.defaultBranch) {
    tags = ['latest'];
  }
  if (!suffix) return tags;
  return tags.map((t) => (t === 'latest' ? sanitizeTag(suffix) : sanitizeTag(`${t}-${suffix}`)));
}
