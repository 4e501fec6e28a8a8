import { ConfigError } from '@pipeline/core';
import { parse, type Scalar } from 'yaml';
import type { YamlFile } from './file.js';

/** `value` as a scalar in the style `like` was written in: plain stays plain unless a reader would not see a string. */
export function renderScalar(file: YamlFile, like: Scalar | undefined, value: string, inFlow: boolean): string {
  switch (like?.type) {
    case 'QUOTE_SINGLE':
      return `'${value.replace(/'/g, "''")}'`;
    case 'QUOTE_DOUBLE':
      return JSON.stringify(value);
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED':
      throw new ConfigError(`${file.path}: Expected a one-line scalar to update, got a block scalar (| or >)`, file.position(like.range![0]), 'write the value on one line');
    default:
      return plainIsString(value, inFlow) ? value : JSON.stringify(value);
  }
}

/**
 * A plain scalar is safe when YAML 1.2 and 1.1 readers (Go's yaml.v2 in older kustomize and Helm
 * among them) both read it back as the same string: `1234e56` would be a float, `on` a boolean.
 */
export function plainIsString(value: string, inFlow: boolean): boolean {
  if (value === '' || value !== value.trim() || /[\r\n]/.test(value)) return false;
  for (const version of ['1.2', '1.1'] as const) {
    try {
      const got = inFlow ? (parse(`[${value}]`, { version }) as unknown[]) : [(parse(`k: ${value}`, { version }) as Record<string, unknown>).k];
      if (got.length !== 1 || got[0] !== value) return false;
    } catch {
      return false;
    }
  }
  return true;
}
