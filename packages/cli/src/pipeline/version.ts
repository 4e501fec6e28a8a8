import { ConfigError } from '@pipeline/core';
import type { Dockerfile } from '@pipeline/build';
import type { ImageConfig } from '../config/index.js';

/** An OS/middleware image's software version: written in pipeline.yml, or read from its Dockerfile. */
export function imageVersion(img: ImageConfig, df: Dockerfile): string | undefined {
  const v = img.version;
  if (!v) return undefined;
  if (v.kind === 'fixed') return v.value;
  const all = [...df.globalArgs, ...df.stages.flatMap((s) => s.instructions)];
  if (v.kind === 'arg') {
    for (const ins of all) if (ins.kind === 'ARG') for (const a of ins.args) if (a.name === v.arg && a.value) return img.buildArgs[v.arg] ?? a.value.text.replace(/^["']|["']$/g, '');
    if (img.buildArgs[v.arg]) return img.buildArgs[v.arg];
    throw new ConfigError(`images.${img.name}.version: ${df.file} has no ARG ${v.arg} with a default value`, img.position, `add ARG ${v.arg}=<version> to the Dockerfile, or set version: "<version>"`);
  }
  const last = df.stages[df.stages.length - 1];
  for (const ins of [...last.instructions].reverse()) if (ins.kind === 'LABEL') for (const p of ins.pairs) if (p.key.text.replace(/^["']|["']$/g, '') === v.label) return p.value.text.replace(/^["']|["']$/g, '');
  throw new ConfigError(`images.${img.name}.version: ${df.file} has no LABEL ${v.label}`, img.position, `add LABEL ${v.label}=<version> to the Dockerfile`);
}

/** Expands tag templates for an image: {version} family from its own version, {sha} family from git. */
export function expandTags(templates: string[], vars: { version?: string; sha?: string; short?: string; branch?: string; semver?: string[] }): string[] {
  const [major, minor] = (vars.version ?? '').split('.');
  const table: Record<string, string | undefined> = {
    version: vars.version,
    patch: vars.version,
    minor: vars.version && minor !== undefined ? `${major}.${minor}` : undefined,
    major: vars.version ? major : undefined,
    sha: vars.sha,
    short: vars.short,
    branch: vars.branch?.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[.-]+/, '').slice(0, 128),
  };
  const out: string[] = [];
  for (const t of templates) {
    if (t === '{semver}') {
      out.push(...(vars.semver ?? []));
      continue;
    }
    let missing = false;
    const tag = t.replace(/\{(\w+)\}/g, (_m, k: string) => table[k] ?? ((missing = true), ''));
    if (!missing && tag) out.push(tag);
  }
  return [...new Set(out)];
}
