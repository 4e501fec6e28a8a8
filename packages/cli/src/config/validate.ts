import type { Ctx } from './kit.js';
import { quote } from '@pipeline/core';
import { fail, keys, obj } from './kit.js';
import type { PipelineConfig } from './types.js';
import { parseRegistry } from './schema/registry.js';
import { parseImages } from './schema/images.js';
import { parseTests } from './schema/tests.js';
import { parseLint } from './schema/lint.js';
import { parseEnvironments } from './schema/environments.js';
import { parseTagPolicy } from './schema/tag-policy.js';

export const TOP_KEYS = ['version', 'registry', 'images', 'test', 'lint', 'environments', 'tag-policy'] as const;

/** The whole file: top-level keys, then each section in an order where later sections can refer to images. */
export function validate(ctx: Ctx, file: string, dir: string, strictOverride?: boolean): PipelineConfig {
  const data = ctx.src.data;
  if (data === null || data === undefined) fail(ctx, [], 'Expected a mapping with version: 1, got an empty file', { hint: 'pipeline init writes a starter pipeline.yml' });
  const r = obj(ctx, [], data);
  // `x-…` keys are free, as in compose files: a place for YAML anchors shared by several images.
  keys(ctx, [], Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('x-'))), TOP_KEYS, ['version']);
  if (r.version !== 1) fail(ctx, ['version'], `Expected version: 1, got ${quote(r.version)}`, { hint: 'this pipeline understands version 1 of pipeline.yml' });
  const lint = parseLint(ctx, r.lint);
  const strictCtx: Ctx = { ...ctx, strict: strictOverride ?? lint.strict };
  const { images, order } = parseImages(strictCtx, dir, r.images);
  return {
    file,
    dir,
    version: 1,
    registry: r.registry === undefined ? undefined : parseRegistry(ctx, r.registry),
    images,
    order,
    test: parseTests(ctx, r.test, Object.keys(images)),
    lint,
    tagPolicy: parseTagPolicy(ctx, r['tag-policy']),
    environments: parseEnvironments(ctx, r.environments),
    warnings: ctx.warnings,
  };
}
