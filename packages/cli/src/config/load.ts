import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, readUserFile, USER_FILE_MAX } from '@pipeline/core';
import { parseYamlSource } from './source.js';
import { validate } from './validate.js';
import type { PipelineConfig } from './types.js';

export const CONFIG_FILE = 'pipeline.yml';

const HINTS = {
  missing: 'run pipeline init to write a starter pipeline.yml',
  directory: undefined,
  'too-big': `pipeline.yml is read whole; over ${USER_FILE_MAX / 1048576} MiB it is not a config a person wrote (generated data belongs in its own file)`,
  unreadable: undefined,
} as const;

export interface LoadOptions {
  /** Warnings (a chain deeper than three images, a {branch} tag on a base) become errors; set, it overrides lint.strict (the settings' order). */
  strict?: boolean;
}

/**
 * Reads and validates pipeline.yml (a file, or a directory holding one). Every problem is a
 * ConfigError (exit code 2) positioned at file:line:column and naming the key path.
 */
export async function loadConfig(file: string, overrides: LoadOptions = {}): Promise<PipelineConfig> {
  let path = resolve(file);
  if (await stat(path).then((s) => s.isDirectory(), () => false)) path = join(path, CONFIG_FILE);
  const text = await readUserFile(path, { what: CONFIG_FILE, error: (message, position, problem) => new ConfigError(message, position, HINTS[problem]) });
  return parseConfig(text, path, overrides);
}

/** The same from text: `file` is used for positions and as the base of relative paths. */
export function parseConfig(text: string, file: string, overrides: LoadOptions = {}): PipelineConfig {
  const path = resolve(file);
  const src = parseYamlSource(text, path);
  return validate({ src, strict: !!overrides.strict, warnings: [] }, path, dirname(path), overrides.strict);
}
