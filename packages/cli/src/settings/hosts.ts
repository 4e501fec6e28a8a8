import { readFileSync } from 'node:fs';
import type { Env, FactName, SettingName } from './names.js';
import { readVar, type Read } from './layers.js';

/**
 * A CI system as the settings see it: how to recognise it, what its variables say about the commit
 * (below the checkout's own git data), and the defaults it offers for settings (below pipeline.yml).
 * Adding a CI system is one more entry in HOSTS.
 */
export interface CiHost {
  name: string;
  detect(env: Env): boolean;
  facts: Partial<Record<FactName, Read>>;
  defaults?: Partial<Record<SettingName, Read>>;
  /** The registry login the CI hands every job (GitLab's job token), bound to that registry alone. */
  login?: (env: Env) => HostLogin | undefined;
}

export interface HostLogin {
  registry: string;
  username: string;
  password: string;
  /** The variables it came from, e.g. `ci:CI_JOB_TOKEN`. */
  from: string;
}

/** A git ref variable's branch or tag: `refs/tags/v1.2.3` → `v1.2.3` under prefix `refs/tags/`. */
const ref = (name: string, prefix: string): Read => (env: Env) => {
  const r = env[name];
  return r?.startsWith(prefix) && r.length > prefix.length ? { value: r.slice(prefix.length), from: name } : undefined;
};

/** GitLab's CI_COMMIT_REF_NAME is the branch, or the tag on a tag pipeline. */
const gitlabRefBranch: Read = (env: Env) => (env.CI_COMMIT_REF_NAME && !env.CI_COMMIT_TAG ? { value: env.CI_COMMIT_REF_NAME, from: 'CI_COMMIT_REF_NAME' } : undefined);

/**
 * What GitLab gives a job for its registry, in GitLab's documented order: the per-job CI_REGISTRY_USER
 * and CI_REGISTRY_PASSWORD, else the job token (`docker login -u $CI_REGISTRY_USER -p $CI_JOB_TOKEN`;
 * the user is `gitlab-ci-token` when CI_REGISTRY_USER is unset), else the project's deploy token.
 */
function gitlabLogin(env: Env): HostLogin | undefined {
  const registry = env.CI_REGISTRY;
  if (!registry) return undefined;
  if (env.CI_REGISTRY_USER && env.CI_REGISTRY_PASSWORD) return { registry, username: env.CI_REGISTRY_USER, password: env.CI_REGISTRY_PASSWORD, from: 'ci:CI_REGISTRY_USER + ci:CI_REGISTRY_PASSWORD' };
  if (env.CI_JOB_TOKEN) return { registry, username: env.CI_REGISTRY_USER || 'gitlab-ci-token', password: env.CI_JOB_TOKEN, from: env.CI_REGISTRY_USER ? 'ci:CI_REGISTRY_USER + ci:CI_JOB_TOKEN' : 'ci:CI_JOB_TOKEN' };
  if (env.CI_DEPLOY_USER && env.CI_DEPLOY_PASSWORD) return { registry, username: env.CI_DEPLOY_USER, password: env.CI_DEPLOY_PASSWORD, from: 'ci:CI_DEPLOY_USER + ci:CI_DEPLOY_PASSWORD' };
  return undefined;
}

const events = new Map<string, Record<string, unknown> | undefined>();
/** The webhook payload the runner writes to GITHUB_EVENT_PATH (read once). */
function githubEvent(env: Env): Record<string, unknown> | undefined {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return undefined;
  if (!events.has(path)) {
    try {
      events.set(path, JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>);
    } catch {
      events.set(path, undefined);
    }
  }
  return events.get(path);
}

const both = (a: string, b: string, join: (x: string, y: string) => string) => (env: Env) => (env[a] && env[b] ? { value: join(env[a]!, env[b]!), from: `${a}+${b}` } : undefined);

/** GitLab's CI_REGISTRY_IMAGE is `registry/group/project`: the parts after the registry are the namespace. */
const gitlabNamespace = (env: Env) => {
  const img = env.CI_REGISTRY_IMAGE;
  const i = img ? img.indexOf('/') : -1;
  return img && i > 0 ? { value: img.slice(i + 1), from: 'CI_REGISTRY_IMAGE' } : undefined;
};

export const HOSTS: CiHost[] = [
  {
    name: 'github',
    detect: (env) => env.GITHUB_ACTIONS === 'true',
    facts: {
      sha: 'GITHUB_SHA',
      // Pull requests check out refs/pull/N/merge: the branch is the PR's head branch.
      branch: ['GITHUB_HEAD_REF', ref('GITHUB_REF', 'refs/heads/')],
      tag: ref('GITHUB_REF', 'refs/tags/'),
      actor: 'GITHUB_ACTOR',
      defaultBranch: (env) => {
        const b = (githubEvent(env)?.repository as { default_branch?: unknown } | undefined)?.default_branch;
        return typeof b === 'string' && b ? { value: b, from: 'GITHUB_EVENT_PATH' } : undefined;
      },
      sourceUrl: both('GITHUB_SERVER_URL', 'GITHUB_REPOSITORY', (s, r) => `${s}/${r}`),
      runUrl: (env) => {
        const { GITHUB_SERVER_URL: s, GITHUB_REPOSITORY: r, GITHUB_RUN_ID: id, GITHUB_RUN_ATTEMPT: n } = env;
        return s && r && id ? { value: `${s}/${r}/actions/runs/${id}${n && n !== '1' ? `/attempts/${n}` : ''}`, from: 'GITHUB_RUN_ID' } : undefined;
      },
      event: 'GITHUB_EVENT_NAME',
    },
    defaults: { buildId: 'GITHUB_RUN_NUMBER' },
  },
  {
    name: 'gitlab',
    detect: (env) => env.GITLAB_CI === 'true',
    facts: {
      sha: 'CI_COMMIT_SHA',
      branch: ['CI_COMMIT_BRANCH', 'CI_MERGE_REQUEST_SOURCE_BRANCH_NAME', gitlabRefBranch],
      tag: 'CI_COMMIT_TAG',
      actor: 'GITLAB_USER_LOGIN',
      defaultBranch: 'CI_DEFAULT_BRANCH',
      sourceUrl: 'CI_PROJECT_URL',
      runUrl: ['CI_JOB_URL', 'CI_PIPELINE_URL'],
      event: 'CI_PIPELINE_SOURCE',
    },
    defaults: { registry: 'CI_REGISTRY', namespace: gitlabNamespace, image: 'CI_REGISTRY_IMAGE', buildId: 'CI_PIPELINE_IID' },
    login: gitlabLogin,
  },
  {
    // Woodpecker shares GitLab's CI_ prefix; CI=woodpecker tells them apart.
    name: 'woodpecker',
    detect: (env) => env.CI === 'woodpecker',
    facts: {
      sha: 'CI_COMMIT_SHA',
      branch: ['CI_COMMIT_SOURCE_BRANCH', 'CI_COMMIT_BRANCH', ref('CI_COMMIT_REF', 'refs/heads/')],
      tag: ['CI_COMMIT_TAG', ref('CI_COMMIT_REF', 'refs/tags/')],
      actor: 'CI_COMMIT_AUTHOR',
      defaultBranch: 'CI_REPO_DEFAULT_BRANCH',
      sourceUrl: 'CI_REPO_URL',
      runUrl: 'CI_PIPELINE_URL',
      event: 'CI_PIPELINE_EVENT',
    },
    defaults: { buildId: 'CI_PIPELINE_NUMBER' },
  },
  {
    name: 'drone',
    detect: (env) => env.DRONE === 'true',
    facts: {
      sha: 'DRONE_COMMIT_SHA',
      branch: ['DRONE_SOURCE_BRANCH', 'DRONE_COMMIT_BRANCH', 'DRONE_BRANCH', ref('DRONE_COMMIT_REF', 'refs/heads/')],
      tag: ['DRONE_TAG', ref('DRONE_COMMIT_REF', 'refs/tags/')],
      actor: 'DRONE_COMMIT_AUTHOR',
      defaultBranch: 'DRONE_REPO_BRANCH',
      sourceUrl: 'DRONE_REPO_LINK',
      runUrl: 'DRONE_BUILD_LINK',
      event: 'DRONE_BUILD_EVENT',
    },
    // Drone's runner mounts a file there and shows what a plugin writes to it as a card (adaptive cards).
    defaults: { cardPath: 'DRONE_CARD_PATH', buildId: 'DRONE_BUILD_NUMBER' },
  },
  {
    name: 'buildkite',
    detect: (env) => env.BUILDKITE === 'true',
    facts: { sha: 'BUILDKITE_COMMIT', branch: 'BUILDKITE_BRANCH', tag: 'BUILDKITE_TAG', actor: 'BUILDKITE_BUILD_CREATOR', runUrl: 'BUILDKITE_BUILD_URL' },
    defaults: { buildId: 'BUILDKITE_BUILD_NUMBER' },
  },
  {
    name: 'circleci',
    detect: (env) => env.CIRCLECI === 'true',
    facts: { sha: 'CIRCLE_SHA1', branch: 'CIRCLE_BRANCH', tag: 'CIRCLE_TAG', actor: 'CIRCLE_USERNAME', runUrl: 'CIRCLE_BUILD_URL' },
    defaults: { buildId: 'CIRCLE_BUILD_NUM' },
  },
  {
    name: 'bitbucket',
    detect: (env) => !!env.BITBUCKET_BUILD_NUMBER,
    facts: { sha: 'BITBUCKET_COMMIT', branch: 'BITBUCKET_BRANCH', tag: 'BITBUCKET_TAG', actor: 'BITBUCKET_STEP_TRIGGERER_UUID' },
    defaults: { buildId: 'BITBUCKET_BUILD_NUMBER' },
  },
  {
    name: 'jenkins',
    detect: (env) => !!env.JENKINS_URL,
    facts: { sha: 'GIT_COMMIT', branch: 'BRANCH_NAME', tag: 'TAG_NAME', runUrl: 'BUILD_URL' },
    defaults: { buildId: 'BUILD_NUMBER' },
  },
];

/** The CI hosts' own credentials (GitLab's job login, its DOCKER_AUTH_CONFIG): masked before anything is printed. */
export const CI_CREDENTIAL_VARS: readonly string[] = ['CI_REGISTRY_PASSWORD', 'CI_JOB_TOKEN', 'CI_DEPLOY_PASSWORD', 'DOCKER_AUTH_CONFIG'];

/** The CI system this process runs in, if any is recognised. */
export const detectHost = (env: Env): CiHost | undefined => HOSTS.find((h) => h.detect(env));

/** A fact as the detected CI tells it: value and `ci:VAR`. */
export function hostFact(host: CiHost | undefined, name: FactName, env: Env): { value: string; source: string } | undefined {
  const read = host?.facts[name];
  const r = read && readVar(read, env);
  return r ? { value: String(r.value), source: `ci:${r.from}` } : undefined;
}
