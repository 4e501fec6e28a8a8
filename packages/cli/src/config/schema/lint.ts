import { cut } from '@pipeline/core';
import type { Ctx } from '../kit.js';
import { bool, fail, keys, obj, strList } from '../kit.js';
import type { LintConfig } from '../types.js';

/** `lint:` – rule ids to skip, and strict mode (warnings fail too: lint findings and config warnings). */
export function parseLint(ctx: Ctx, raw: unknown): LintConfig {
  if (raw === undefined || raw === null) return { disable: [], strict: false };
  const r = obj(ctx, ['lint'], raw);
  keys(ctx, ['lint'], r, ['disable', 'strict']);
  const disable = r.disable === undefined ? [] : strList(ctx, ['lint', 'disable'], r.disable);
  disable.forEach((id, i) => {
    if (!/^PL\d{3}$/.test(id)) fail(ctx, ['lint', 'disable', i], `Expected a rule id like PL003, got '${cut(id)}'`, { hint: 'pipeline lint --json lists each finding with its rule id' });
  });
  return { disable, strict: r.strict === undefined ? false : bool(ctx, ['lint', 'strict'], r.strict) };
}
