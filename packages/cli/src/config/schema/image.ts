import { dirname, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { parseReference, isPipelineError, cut } from '@pipeline/core';
import type { Ctx } from '../kit.js';
import { fail, isObj, keys, obj, oneOf, show, str, strish, strList, strMap } from '../kit.js';
import type { Executor, FromRef, ImageConfig, VersionPolicy } from '../types.js';
import { mean } from '../suggest.js';
import { checkTagTemplate, checkTagPolicy } from './tags.js';

export const IMAGE_KEYS = ['dockerfile', 'context', 'from', 'version', 'tags', 'build-args', 'executor', 'platform'] as const;
export const EXECUTORS: readonly Executor[] = ['native', 'engine', 'chroot'];
const NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;

/** One entry of `images:`; references between images are checked afterwards, by the graph. */
export function parseImage(ctx: Ctx, dir: string, name: string, raw: unknown, imageNames: string[]): ImageConfig {
  const path = ['images', name];
  if (!NAME.test(name) || name.length > 128) fail(ctx, path, `Expected an image name of lowercase letters, digits and . _ - (a registry repository component, at most 128 characters), got '${cut(name)}'`, { key: true });
  const r = obj(ctx, path, raw);
  keys(ctx, path, r, IMAGE_KEYS, ['dockerfile']);
  const dockerfile = resolve(dir, str(ctx, [...path, 'dockerfile'], r.dockerfile, 'a path to a Dockerfile'));
  if (!existsSync(dockerfile)) fail(ctx, [...path, 'dockerfile'], `Dockerfile not found: ${dockerfile}`, { hint: 'paths are relative to the directory of pipeline.yml' });
  const context = r.context === undefined ? dirname(dockerfile) : resolve(dir, str(ctx, [...path, 'context'], r.context, 'a directory'));
  if (!existsSync(context)) fail(ctx, [...path, 'context'], `build context not found: ${context}`);
  const version = r.version === undefined ? undefined : parseVersion(ctx, [...path, 'version'], r.version);
  const tags = r.tags === undefined ? [version ? '{version}' : '{sha}'] : strList(ctx, [...path, 'tags'], r.tags);
  if (!tags.length) fail(ctx, [...path, 'tags'], 'Expected at least one tag, got an empty list');
  tags.forEach((t, i) => checkTagTemplate(ctx, [...path, 'tags', i], t));
  checkTagPolicy(ctx, path, tags, !!version);
  const platform = r.platform === undefined ? undefined : str(ctx, [...path, 'platform'], r.platform);
  if (platform !== undefined && !PLATFORM.test(platform)) fail(ctx, [...path, 'platform'], `Expected os/arch[/variant] like linux/amd64, got '${cut(platform)}'`);
  return {
    name,
    dockerfile,
    context,
    from: r.from === undefined ? undefined : parseFrom(ctx, [...path, 'from'], r.from, imageNames),
    version,
    tags,
    buildArgs: r['build-args'] === undefined ? {} : strMap(ctx, [...path, 'build-args'], r['build-args']),
    executor: r.executor === undefined ? undefined : oneOf(ctx, [...path, 'executor'], r.executor, EXECUTORS),
    platform,
    position: ctx.src.pos(path, { key: true }),
  };
}

/** `"12.5"`, `{ label: version }` or `{ arg: NODE_VERSION }`. */
function parseVersion(ctx: Ctx, path: (string | number)[], raw: unknown): VersionPolicy {
  if (!isObj(raw)) {
    const value = strish(ctx, path, raw);
    if (!/^[\w][\w.+-]*$/.test(value)) fail(ctx, path, `Expected a version like 12.5 or 20.11.1, got '${cut(value)}'`);
    return { kind: 'fixed', value };
  }
  keys(ctx, path, raw, ['label', 'arg']);
  const set = Object.keys(raw);
  if (set.length !== 1) fail(ctx, path, `Expected exactly one of: label, arg, got ${set.length ? set.join(' and ') : 'an empty mapping'}`);
  if (set[0] === 'label') return { kind: 'label', label: str(ctx, [...path, 'label'], raw.label, 'a label name') };
  const arg = str(ctx, [...path, 'arg'], raw.arg, 'an ARG name');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(arg)) fail(ctx, [...path, 'arg'], `Expected an ARG name like NODE_VERSION, got '${cut(arg)}'`);
  return { kind: 'arg', arg };
}

/** Another image's name, or an external reference that names a tag or digest (never an implicit :latest). */
function parseFrom(ctx: Ctx, path: (string | number)[], raw: unknown, imageNames: string[]): FromRef {
  if (typeof raw !== 'string' || !raw) fail(ctx, path, `Expected an image name from images: or a reference like debian:12, got ${show(raw)}`);
  if (imageNames.includes(raw)) return { kind: 'image', name: raw };
  if (!/[:@]/.test(raw.split('/').pop()!)) {
    const near = imageNames.length ? `; images: ${imageNames.join(', ')}` : '';
    fail(ctx, path, `'${cut(raw)}' is not an image of this pipeline${mean(raw, imageNames)}${near}`, { hint: 'an external base needs a tag or digest, e.g. debian:12 or debian@sha256:…' });
  }
  try {
    parseReference(raw);
  } catch (e) {
    if (isPipelineError(e)) fail(ctx, path, e.message);
    throw e;
  }
  if (/:latest(@|$)/.test(raw)) fail(ctx, path, `Expected a pinned version, got '${cut(raw)}'`, { hint: 'a :latest base changes under you; use a version tag, ideally with @sha256:…' });
  return { kind: 'external', ref: raw };
}
