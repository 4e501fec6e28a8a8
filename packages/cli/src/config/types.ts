import type { SourcePosition } from '@pipeline/core';
import type { DeployEnvironments } from '@pipeline/deploy';
import type { ConfigWarning } from './kit.js';

export type Executor = 'native' | 'engine' | 'chroot';

/** Where a base comes from: another image of this pipeline, or an image outside it (tag or digest required). */
export type FromRef = { kind: 'image'; name: string } | { kind: 'external'; ref: string };

/** How an OS/middleware image learns its software version: written here, or read from the Dockerfile. */
export type VersionPolicy = { kind: 'fixed'; value: string } | { kind: 'label'; label: string } | { kind: 'arg'; arg: string };

export interface ImageConfig {
  name: string;
  /** Absolute paths, resolved against the directory of pipeline.yml. */
  dockerfile: string;
  context: string;
  from?: FromRef;
  /** Set for OS and middleware images (tagged with their version); absent for app images (tagged with the git SHA). */
  version?: VersionPolicy;
  /** Templates for @pipeline/build computeTags: {version} {major} {minor} {patch} {semver} {sha} {short} {branch}. */
  tags: string[];
  buildArgs: Record<string, string>;
  executor?: Executor;
  platform?: string;
  position: SourcePosition;
}

/** The same shapes the image tests of @pipeline/build check. */
export type { StructureCheck } from '@pipeline/build';
import type { StructureCheck } from '@pipeline/build';

export interface CommandTest {
  /** A string runs through /bin/sh -c in the container; a list runs as argv. */
  run: string | string[];
  expectExit: number;
  expectOutput?: string;
  timeoutMs: number;
  position: SourcePosition;
}

export interface SmokeTest {
  port: number;
  http?: string;
  expectStatus: number;
  timeoutMs: number;
  position: SourcePosition;
}

export interface ImageTests {
  structure: (StructureCheck & { position: SourcePosition })[];
  commands: CommandTest[];
  smoke?: SmokeTest;
}

export interface RegistryConfig {
  url: string;
  namespace?: string;
  insecure: boolean;
}

export interface LintConfig {
  disable: string[];
  strict: boolean;
}

/** `tag-policy:` – docs/tags.md. */
export interface TagPolicyConfig {
  /** move: a rebuilt OS/middleware image moves its version tags (and gets a unique tag); immutable: a version tag never moves. */
  versionTags: 'move' | 'immutable';
  /** Template of the immutable tag each OS/middleware build gets, e.g. `{version}-{inputs}`. */
  unique: string;
}

export interface PipelineConfig {
  /** Absolute path of pipeline.yml; `dir` is the repo root paths resolve against. */
  file: string;
  dir: string;
  version: 1;
  registry?: RegistryConfig;
  /** In file order. */
  images: Record<string, ImageConfig>;
  /** Image names, every base before the images built on it. */
  order: string[];
  test: Record<string, ImageTests>;
  lint: LintConfig;
  tagPolicy: TagPolicyConfig;
  /** Deploy targets, validated by @pipeline/deploy's parseDeployConfig. */
  environments: DeployEnvironments;
  /** Non-fatal findings (errors instead in strict mode). */
  warnings: ConfigWarning[];
}
