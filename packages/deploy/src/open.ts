import { resolve } from 'node:path';
import { parseReference, UsageError, type Logger } from '@pipeline/core';
import type { DeployEnvironment } from './config/types.js';
import type { HistoryStore } from './model/store.js';
import type { Target } from './model/target.js';
import { GitBranchRecord } from './state/git-branch.js';
import { DockerTarget } from './target/docker/docker-target.js';
import { SwarmTarget } from './target/swarm/swarm-target.js';
import { GitopsTarget } from './target/gitops/gitops-target.js';
import type { TrafficSwitch } from './target/docker/proxy/switch.js';

/** App name: configured, else the image repository's last path component. */
export function appName(env: DeployEnvironment, image?: string): string {
  if (env.app) return env.app;
  const repo = image ? parseReference(image).repository : env.image ? parseReference(env.image).repository : undefined;
  if (!repo) throw new UsageError(`environments.${env.name}: Expected app or image to name the app, got neither`);
  return repo.split('/').pop()!;
}

export interface OpenOptions {
  /** Docker: a traffic switch other than the configured proxy. */
  traffic?: TrafficSwitch;
  /** Where credentials named by environment variable are read (gitops: the repository token); default process.env. */
  vars?: NodeJS.ProcessEnv;
}

/** The one factory from an environment's config to its target, by `target:` kind. */
export function openTarget(env: DeployEnvironment, image?: string, secrets: Record<string, string> = {}, o: OpenOptions = {}): Target {
  switch (env.target) {
    case 'docker':
      return new DockerTarget(appName(env, image), env, secrets, o);
    case 'swarm':
      return new SwarmTarget(env.app ?? env.stack, env, secrets);
    case 'gitops':
      return new GitopsTarget(env, image, { vars: o.vars });
  }
}

/** History stores besides the target's own (the GitOps record of `history.git`); `dir` is pipeline.yml's directory. */
export function openRecords(env: DeployEnvironment, o: { dir: string; logger?: Logger }): HistoryStore[] {
  const git = env.history?.git;
  if (!git) return [];
  return [new GitBranchRecord({ dir: resolve(o.dir, git.repo), branch: git.branch, file: git.file, remote: git.remote, environment: env.name, logger: o.logger })];
}
