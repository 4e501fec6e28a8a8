import { UsageError, formatReference, parseReference, type Reference, quote } from '@pipeline/core';
import { computeTags, DEFAULT_TAG_TEMPLATES } from '@pipeline/build';
import { autoTags } from './auto-tags.js';
import type { Facts } from './facts.js';
import type { Settings } from './resolve.js';
import { describeSource } from './values.js';

/** Where one built image goes: registry repositories with their tags, and local names for archive/layout outputs. */
export interface Destinations {
  /** Each repository once, with the tags it gets (from git: known once the facts are; a failure there stops the push). */
  repositories: { repository: Reference; tags: Promise<string[]> }[];
  /** `name:tag` for docker-archive outputs and OCI layouts (docker build -t app:1.0). */
  localNames: string[];
  /** Whether to push to the repositories. */
  push: boolean;
}

/** A text is a reference to push to when it names a repository path (`team/app:1`, `REGISTRY/REPO:TAG`), as docker push reads it. */
export const isRemoteRef = (t: string): boolean => t.includes('/');

/**
 * The tags of one image, in one place: explicit tags (bare ones belong to `image`), else the git
 * ones (full SHA, sha-<short>, branch, semver); a dirty tree in CI is refused rather than tagged.
 * With `autoTag` the version tags follow the docker plugins' rules instead (auto-tags.ts), suffixed.
 */
export function gitTags(facts: Facts, auto: Pick<Settings, 'autoTag' | 'autoTagSuffix'> = { autoTag: false }): string[] {
  if (!facts.git) return [];
  const dirty = facts.ci ? 'refuse' : 'suffix';
  if (!auto.autoTag) return computeTags(facts.git, { dirty });
  const templates = DEFAULT_TAG_TEMPLATES.filter((t) => t !== '{semver}');
  return [...new Set([...computeTags(facts.git, { dirty, templates }), ...autoTags(facts, auto.autoTagSuffix)])];
}

/**
 * What `tags`, `image` and `push` mean together, as docker users write them: a full reference
 * (`-t 127.0.0.1:5000/team/app:1.2`) is pushed there; with `image`, a bare tag (`-t 1.2`) is a tag
 * of that repository; other names (`app:1.2`) only name local outputs. The front door's default
 * push is `pushByDefault` (the CLI: when a full reference is given; the Action: when anywhere is).
 */
export function destinations(s: Settings, facts: Promise<Facts>, pushByDefault: 'remote-tags' | 'any'): Destinations {
  const tags = s.tags ?? [];
  const remote = tags.filter(isRemoteRef);
  const bare = tags.filter((t) => !isRemoteRef(t) && !t.includes(':'));
  const localNames = tags.filter((t) => !isRemoteRef(t) && (t.includes(':') || !s.image)).map((t) => (t.includes(':') ? t : `${t}:latest`));
  for (const n of localNames) parseReference(n); // a name `docker load` would refuse is refused now, before the build
  const byRepo = new Map<string, { repository: Reference; tags: string[]; fromGit?: Promise<string[]> }>();
  const entry = (repository: Reference) => {
    const key = formatReference({ registry: repository.registry, repository: repository.repository });
    return byRepo.get(key) ?? byRepo.set(key, { repository: { registry: repository.registry, repository: repository.repository }, tags: [] }).get(key)!;
  };
  const add = (repository: Reference, tag: string) => {
    const e = entry(repository);
    if (!e.tags.includes(tag)) e.tags.push(tag);
  };
  // `image` first (its name is the run's), when it takes tags: the bare ones, else (no tag given) the git ones.
  const image = s.image && (bare.length || !remote.length) ? parseReference(s.image) : undefined;
  if (image) entry(image);
  for (const t of remote) {
    const r = parseReference(t);
    if (r.digest) throw new UsageError(`Expected ${describeSource(s.sources.tags!)} to name tags, got the digest reference ${quote(t)}`);
    add(r, r.tag!);
  }
  const push = s.push ?? (pushByDefault === 'any' ? !!s.image || remote.length > 0 : remote.length > 0);
  if (image) {
    for (const t of bare) add(image, t);
    if (!bare.length && push) entry(image).fromGit = facts.then((f) => pushTagsFromGit(f, s));
    // Given tags and auto_tag: both (Woodpecker buildx's rule; drone-docker dropped the given ones).
    if (bare.length && s.autoTag && push) entry(image).fromGit = facts.then((f) => [...new Set([...bare, ...autoTags(f, s.autoTagSuffix)])]);
  }
  if (push && !byRepo.size) throw new UsageError('a push needs somewhere to go: --image REGISTRY/REPOSITORY, or -t REGISTRY/REPOSITORY:TAG', 'e.g. pipeline build . --push --image 127.0.0.1:5000/team/app');
  const repositories = [...byRepo.values()].map((e) => ({ repository: e.repository, tags: e.fromGit ?? Promise.resolve(e.tags) }));
  for (const r of repositories) r.tags.catch(() => {}); // awaited by the push; a failure there is reported once, by it
  return { repositories, localNames, push };
}

function pushTagsFromGit(facts: Facts, s: Settings): string[] {
  const tags = gitTags(facts, s);
  if (!tags.length) throw new UsageError('this is not a git checkout and no commit SHA was given, so there is no commit to tag the image with', 'give tags with --tag (or the tags input), set PIPELINE_SHA, or build inside a git repository');
  return tags;
}
