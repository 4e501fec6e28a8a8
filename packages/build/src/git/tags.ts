import semver from 'semver';
import { UsageError, quote } from '@pipeline/core';
import type { GitInfo } from './info.js';

export interface TagPolicy {
  /** Templates with {sha} {short} {branch} {version} {major} {minor} {patch}; default below. */
  templates?: string[];
  /** `latest` on the default branch. */
  latest?: boolean;
  /** What a dirty tree does: add `-dirty` (default), refuse (what the CLI asks for in CI), or ignore. */
  dirty?: 'suffix' | 'refuse' | 'ignore';
}

/** The docker/metadata-action conventions: full SHA, sha-<short7>, branch, semver from a v-tag. */
export const DEFAULT_TAG_TEMPLATES = ['{sha}', 'sha-{short}', '{branch}', '{semver}'];

/** Makes any string a valid tag: invalid runs → '-', no leading '.'/'-', at most 128 chars. */
export function sanitizeTag(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[.-]+/, '').slice(0, 128);
}

/** `v1.2.3` → 1.2.3, 1.2, 1 (only the full version for prereleases). */
export function semverTags(gitTags: string[]): string[] {
  const versions = gitTags.map((t) => semver.valid(semver.clean(t) ?? '')).filter((v): v is string => !!v);
  if (!versions.length) return [];
  const v = versions.sort(semver.rcompare)[0];
  const p = semver.parse(v)!;
  return p.prerelease.length ? [v] : [v, `${p.major}.${p.minor}`, `${p.major}`];
}

export function computeTags(git: GitInfo, policy: TagPolicy = {}): string[] {
  const dirtyMode = policy.dirty ?? 'suffix';
  if (git.dirty && dirtyMode === 'refuse') {
    throw new UsageError(`the working tree has uncommitted changes (${git.dirtyFiles.slice(0, 5).join(', ')}${git.dirtyFiles.length > 5 ? ', …' : ''}): an image tagged with commit ${git.short} would not match that commit`, 'commit the changes, or allow it with tags.dirty: suffix');
  }
  const suffix = git.dirty && dirtyMode === 'suffix' ? '-dirty' : '';
  const sv = semverTags(git.tags);
  const p = sv.length ? semver.parse(sv[0]) : null;
  const vars: Record<string, string | undefined> = {
    sha: git.sha,
    short: git.short,
    branch: git.branch ? sanitizeTag(git.branch) : undefined,
    version: sv[0],
    major: p ? String(p.major) : undefined,
    minor: p ? `${p.major}.${p.minor}` : undefined,
    patch: sv[0],
  };
  const out: string[] = [];
  for (const t of policy.templates ?? DEFAULT_TAG_TEMPLATES) {
    if (t === '{semver}') {
      if (!suffix) out.push(...sv);
      continue;
    }
    let missing = false;
    const tag = t.replace(/\{(\w+)\}/g, (_m, k: string) => {
      if (!(k in vars)) throw new UsageError(`Expected a tag template variable among {${Object.keys(vars).join('} {')}} {semver}, got {${k}} in ${quote(t)}`);
      const v = vars[k];
      if (v === undefined) missing = true;
      return v ?? '';
    });
    if (!missing && tag) out.push(sanitizeTag(tag + suffix));
  }
  if (policy.latest && !suffix && git.branch && git.branch === (git.defaultBranch ?? 'main')) out.push('latest');
  return [...new Set(out)];
}

/** Highest tag satisfying a semver range (`^2.1`), as `FROM middleware:^2.1` asks. */
export function resolveSemverTag(tags: string[], range: string): string | undefined {
  const byVersion = new Map<string, string>();
  for (const t of tags) {
    // Only full versions count: `2.1` and `2` are moving aliases of some 2.1.x.
    const v = semver.clean(t);
    if (v && !byVersion.has(v)) byVersion.set(v, t);
  }
  const best = semver.maxSatisfying([...byVersion.keys()], range);
  return best ? byVersion.get(best) : undefined;
}

/** Whether a tag text is a semver range rather than a literal tag. */
export function isSemverRange(tag: string): boolean {
  return /[\^~><=*x| ]/.test(tag) && semver.validRange(tag) !== null && semver.valid(tag) === null;
}
