import { cut, quote } from '@pipeline/core';
import type { ArgInstruction, Word } from './types.js';
import { fail, fields, toWord, words, type Ctx } from './context.js';
import type { Token } from './tokens.js';

/**
 * ENV and LABEL (moby parseNameVal): `k=v k2="v 2"`, or the legacy `k some value` when the first
 * word has no `=`; then the key is the first field and the value is the rest of the line.
 */
export function keyValues(c: Ctx, text: string, base: number): { key: Token; value: Token }[] {
  const k = c.keyword;
  const toks = words(c, text, base);
  if (!toks.length) throw fail(c, base, `${k} needs at least one key=value`, `Expected ${k} key=value [key=value…]`);
  if (!toks[0].text.includes('=')) {
    const [key, second] = fields(text, base);
    if (!second) throw fail(c, key.offset, `${k} ${cut(key.text)} has no value`, `Expected ${k} ${cut(key.text)}=<value>`);
    return [{ key, value: { text: text.slice(second.offset - base).trim(), offset: second.offset } }];
  }
  return toks.map((t) => {
    const eq = t.text.indexOf('=');
    if (eq < 0) throw fail(c, t.offset, `${k}: Expected key=value, got ${quote(t.text)}`, `Expected ${k} key=value [key=value…]; quote values that contain spaces`);
    if (eq === 0) throw fail(c, t.offset, `${k}: a key must not be empty, got ${quote(t.text)}`, `Expected ${k} key=value`);
    return { key: { text: t.text.slice(0, eq), offset: t.offset }, value: { text: t.text.slice(eq + 1), offset: t.offset + eq + 1 } };
  });
}

// Stricter than moby (which only rejects blank names): a name `$NAME` can refer to.
const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** ARG name[=default] … (moby parseNameOrNameVal: several declarations per line are allowed). */
export function argDecls(c: Ctx, text: string, base: number): ArgInstruction['args'] {
  const toks = words(c, text, base);
  if (!toks.length) throw fail(c, base, 'ARG needs a name', 'Expected ARG <name>[=<default>]');
  return toks.map((a) => {
    const eq = a.text.indexOf('=');
    const name = eq < 0 ? a.text : a.text.slice(0, eq);
    if (!name) throw fail(c, a.offset, `ARG: a name must not be empty, got ${quote(a.text)}`, 'Expected ARG <name>[=<default>]');
    if (!ARG_NAME.test(name)) throw fail(c, a.offset, `Expected an ARG name of letters, digits and _ (not starting with a digit), got ${quote(name)}`, 'Expected ARG <name>[=<default>]');
    const value: Word | undefined = eq < 0 ? undefined : toWord(c, { text: a.text.slice(eq + 1), offset: a.offset + eq + 1 });
    return value ? { name, value } : { name };
  });
}
