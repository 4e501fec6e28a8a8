import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { addSecret, ConfigError } from '@pipeline/core';
import type { DeployEnvironment } from './types.js';

/** Reads every secret before anything is touched; each value is registered with the masker. */
export function resolveSecrets(env: DeployEnvironment, from: { vars?: NodeJS.ProcessEnv; cwd?: string } = {}): Record<string, string> {
  const vars = from.vars ?? process.env;
  const out: Record<string, string> = {};
  // A Swarm stack's services may name secrets of their own (one source per key: checked on load).
  const all = env.target === 'swarm' ? Object.assign({}, env.secrets, ...env.services.map((s) => s.secrets)) as typeof env.secrets : env.secrets;
  for (const [key, src] of Object.entries(all)) {
    const where = `environments.${env.name}.secrets.${key}`;
    if ('env' in src) {
      const v = vars[src.env];
      if (v === undefined || v === '') throw new ConfigError(`${where}: Expected the environment variable ${src.env} to be set, got nothing`, undefined, `export ${src.env}=… before deploying`);
      out[key] = v;
    } else {
      const path = resolve(from.cwd ?? process.cwd(), src.file);
      try {
        out[key] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
      } catch (e) {
        throw new ConfigError(`${where}: Expected a readable secret file ${path}, got ${(e as NodeJS.ErrnoException).code ?? 'an error'}`);
      }
    }
    addSecret(out[key]);
  }
  return out;
}
