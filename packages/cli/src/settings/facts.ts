import { UsageError, quote } from '@pipeline/core';
import { readGitInfo, sourceUrl, type GitInfo } from '@pipeline/build';
import type { Env, FactName } from './names.js';
import { detectHost, hostFact } from './hosts.js';
import { explicitValue, type SettingsInput } from './resolve.js';
import { describeSource } from './values.js';

/** What is known about the commit being built and who runs it, and where each part came from. */
export interface Facts {
  /** The commit: undefined when neither the checkout, a setting nor the CI names one. */
  git?: GitInfo;
  /** Who runs this (a deploy's actor). */
  actor: string;
  /** The web page of this CI run, for the deploy history. */
  runUrl?: string;
  /** The CI system detected (github, gitlab, woodpecker, drone…). */
  host?: string;
  /** Running in CI: a detected host, or CI set. A dirty tree is then refused rather than tagged -dirty. */
  ci: boolean;
  /** The CI's event (push, pull_request…). */
  event?: string;
  /** The tag this run was started for (a tag push: DRONE_TAG, CI_COMMIT_TAG, refs/tags/…), when it names this commit. */
  tag?: string;
  sources: Partial<Record<FactName | 'tags', string>>;
}

const SHA = /^[0-9a-f]{7,64}$/;

/**
 * The commit facts in the settings' order: explicit (flags, PIPELINE_*) > the checkout's own git data
 * > the CI's variables. The actor alone prefers the CI's user (who triggered the run) to the commit's
 * author. A shallow clone is a checkout like any other.
 */
export async function resolveFacts(input: SettingsInput, dir: string): Promise<Facts> {
  const env: Env = input.env ?? {};
  const host = detectHost(env);
  const sources: Facts['sources'] = {};
  const checkout = await readGitInfo(dir);
  // Files the CI wrote for this step (a .tags file) are not changes to the commit.
  const ciFiles = new Set(input.ciFiles ?? []);
  const dirtyFiles = (checkout?.dirtyFiles ?? []).filter((f) => !ciFiles.has(f));
  const ci = (name: FactName) => hostFact(host, name, env);
  const pick = (name: FactName, explicit: { value: unknown; source: string } | undefined, fromCheckout: string | undefined, order: 'checkout-first' | 'ci-first' = 'checkout-first'): string | undefined => {
    const c = ci(name);
    const cands: [string, string | undefined][] = [[explicit?.source ?? '', explicit ? String(explicit.value).trim() : undefined]];
    const co: [string, string | undefined] = ['git', fromCheckout || undefined];
    const hc: [string, string | undefined] = [c?.source ?? '', c?.value];
    cands.push(...(order === 'checkout-first' ? [co, hc] : [hc, co]));
    const hit = cands.find(([, v]) => v);
    if (hit) sources[name] = hit[0];
    return hit?.[1];
  };

  const sha = pick('sha', explicitValue('sha', input), checkout?.sha)?.toLowerCase();
  if (sha && !SHA.test(sha)) throw new UsageError(`Expected a commit SHA (7 to 64 hex digits) from ${describeSource(sources.sha!)}, got ${quote(sha)}`);
  const branch = pick('branch', explicitValue('branch', input), checkout?.branch);
  const defaultBranch = pick('defaultBranch', undefined, checkout?.defaultBranch);
  const source = pick('sourceUrl', undefined, sourceUrl(checkout?.remoteUrl));
  const actor = pick('actor', explicitValue('actor', input), checkout?.author, 'ci-first') ?? (env.USER || env.USERNAME || 'unknown');
  sources.actor ??= env.USER || env.USERNAME ? 'env:USER' : 'default';
  // The CI's tag (a tag push) counts when it names this commit; a shallow clone may lack the tag itself.
  const ciTag = ci('tag');
  const ciSha = ci('sha')?.value.toLowerCase();
  const tags = [...(checkout?.tags ?? [])];
  const runTag = ciTag && (!ciSha || ciSha === sha) ? ciTag.value : undefined;
  if (runTag && !tags.includes(runTag)) tags.push(runTag), (sources.tags = ciTag!.source);
  else if (checkout) sources.tags = 'git';
  const sameCommit = checkout && checkout.sha === sha;
  const git: GitInfo | undefined = sha
    ? {
        sha,
        short: sha.slice(0, 7),
        branch,
        tags: tags.sort(),
        commitTime: sameCommit ? checkout.commitTime : undefined,
        dirty: dirtyFiles.length > 0,
        dirtyFiles,
        remoteUrl: source,
        author: (sameCommit ? checkout.author : '') ?? '',
        defaultBranch,
      }
    : undefined;
  return {
    git,
    actor,
    runUrl: pick('runUrl', explicitValue('runUrl', input), undefined),
    host: host?.name,
    ci: !!host || (!!env.CI && env.CI !== 'false'),
    event: ci('event')?.value,
    tag: runTag,
    sources,
  };
}
