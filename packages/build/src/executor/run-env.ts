import type { StepContext } from './native.js';
import { envToMap } from './vars.js';

/** A RUN sees the image's ENV plus the stage's ARGs (ENV wins), as `docker build` does; ARGs are not persisted. */
export function runEnv(ctx: StepContext): string[] {
  const env = envToMap(ctx.image.config.config.Env);
  const out = [...(ctx.image.config.config.Env ?? [])];
  for (const [k, v] of ctx.args) if (v !== undefined && !env.has(k)) out.push(`${k}=${v}`);
  if (!env.has('PATH')) out.unshift('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  return out;
}
