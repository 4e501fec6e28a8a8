import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '@pipeline/core';
import { parseYamlSource } from './source.js';
import { validate } from './validate.js';
import type { PipelineConfig } from './types.js';

export const CONFIG_FILE = 'pipeline.yml';

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
  let text: string;
  try {
    if ((await stat(path)).isDirectory()) path = join(path, CONFIG_FILE);
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(`${CONFIG_FILE} not found: ${path}`, { file: path }, 'run pipeline init to write a starter pipeline.yml');
    throw new ConfigError(`cannot read ${path}: ${(e as Error).message}`, { file: path });
  }
  return parseConfig(text, path, overrides);
}

/** The same from text: `file` is used for positions and as the base of relative paths. */
export function parseConfig(text: string, file: string, overrides: LoadOptions = {}): PipelineConfig {
  const path = resolve(file);
  const src = parseYamlSource(text, path);
  return validate({ src, strict: !!overrides.strict, warnings: [] }, path, dirname(path), overrides.strict);
}
