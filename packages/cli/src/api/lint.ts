import { readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { USER_FILE_MAX } from '@pipeline/core';
import { effectiveUser, lintDockerfile, parseDockerfile, readDockerfile, type Finding } from '@pipeline/build';
import type { PipelineConfig } from '../config/index.js';

export type LintFinding = Finding & { file: string };

/**
 * Lints Dockerfiles with pipeline.yml's knowledge (its image names, what each image runs as, lint.disable).
 * `file` in each finding is relative to `cwd` (as an editor or a CI annotation wants it).
 */
export async function lintDockerfiles(files: string[], o: { config?: PipelineConfig; disable?: string[]; cwd: string }): Promise<LintFinding[]> {
  const out: LintFinding[] = [];
  const baseUser = pipelineUsers(o.config);
  const disable = o.disable ?? o.config?.lint.disable ?? [];
  for (const file of files) {
    const text = await readDockerfile(file);
    const shown = relative(o.cwd, file) || file;
    for (const f of lintDockerfile(parseDockerfile(text, shown), { disable, pipelineImages: o.config ? Object.keys(o.config.images) : [], baseUser })) out.push({ file: shown, ...f });
  }
  return out;
}

/**
 * What each pipeline.yml image runs as, from its own Dockerfile (and its base's, down the chain):
 * an app built `FROM node` where node's Dockerfile says `USER node` does not run as root.
 */
function pipelineUsers(config: PipelineConfig | undefined): (image: string) => string | undefined {
  const memo = new Map<string, string | undefined>();
  const userOf = (name: string, seen: Set<string>): string | undefined => {
    if (!config?.images[name] || seen.has(name)) return undefined;
    if (memo.has(name)) return memo.get(name);
    let user: string | undefined;
    try {
      const file = config.images[name].dockerfile;
      if (statSync(file).size > USER_FILE_MAX) throw new Error('too big: linted (and reported) on its own');
      user = effectiveUser(parseDockerfile(readFileSync(file, 'utf8'), file), (from) => userOf(from, new Set([...seen, name])));
    } catch {
      user = undefined; // unreadable or invalid: linted (and reported) on its own
    }
    memo.set(name, user);
    return user;
  };
  return (image) => userOf(image, new Set());
}

