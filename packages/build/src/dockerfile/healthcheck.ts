import { quote } from '@pipeline/core';
import type { HealthcheckInstruction } from './types.js';
import { fail, type Ctx } from './context.js';
import { command } from './commands.js';
import { parseDuration } from '@pipeline/core';
import type { RawFlag } from './tokens.js';

const FIELD = { interval: 'interval', timeout: 'timeout', 'start-period': 'startPeriod', 'start-interval': 'startInterval' } as const;

/** HEALTHCHECK NONE | HEALTHCHECK [--interval= --timeout= --start-period= --start-interval= --retries=] CMD … */
export function healthcheck(c: Ctx, flags: RawFlag[], text: string, base: number): HealthcheckInstruction {
  const pos = c.line.pos;
  const raw = c.line.text;
  const lead = text.length - text.trimStart().length;
  const type = /^\S*/.exec(text.slice(lead))![0];
  const at = base + lead;
  if (!type) throw fail(c, base, 'HEALTHCHECK needs CMD or NONE', 'Expected HEALTHCHECK [options] CMD <command> or HEALTHCHECK NONE');
  if (type.toUpperCase() === 'NONE') {
    if (flags.length) throw fail(c, flags[0].offset, 'HEALTHCHECK NONE takes no options', 'Expected HEALTHCHECK NONE alone');
    const extra = text.slice(lead + 4).trim();
    if (extra) throw fail(c, at + 4 + text.slice(lead + 4).indexOf(extra), `HEALTHCHECK NONE takes no arguments, got ${quote(extra)}`, 'Expected HEALTHCHECK NONE alone');
    return { kind: 'HEALTHCHECK', pos, raw, command: null };
  }
  if (type.toUpperCase() !== 'CMD') throw fail(c, at, `Expected HEALTHCHECK [options] CMD <command> or HEALTHCHECK NONE, got ${quote(type)}`);
  const ins: HealthcheckInstruction = { kind: 'HEALTHCHECK', pos, raw, command: command(c, text.slice(lead + 3), at + 3, 'HEALTHCHECK CMD') };
  for (const f of flags) {
    const v = f.value ?? '';
    if (v === '') continue; // moby: an empty value keeps the default
    if (f.name === 'retries') {
      if (!/^[+-]?\d+$/.test(v) || Math.abs(Number(v)) > 2 ** 31 - 1) throw fail(c, f.valueOffset, `Expected --retries to be a whole number, got ${quote(v)}`);
      if (Number(v) < 0) throw fail(c, f.valueOffset, `Expected --retries to be 0 or more, got ${v}`);
      ins.retries = Number(v);
      continue;
    }
    const ns = parseDuration(v);
    if (ns === undefined) throw fail(c, f.valueOffset, `Expected --${f.name} to be a duration like 30s, 1m30s or 500ms, got ${quote(v)}`);
    if (ns !== 0 && ns < 1e6) throw fail(c, f.valueOffset, `Expected --${f.name} to be at least 1ms, got ${v}`);
    ins[FIELD[f.name as keyof typeof FIELD]] = ns;
  }
  return ins;
}
