import { quote } from '@pipeline/core';
import type { CopyInstruction, Word } from './types.js';
import { fail, quoteWord, toWord, words, type Ctx } from './context.js';
import { rejectHeredoc } from './heredoc.js';
import { isProblem, parseExec } from './json.js';
import type { RawFlag, Token } from './tokens.js';

/** COPY / ADD: `[flags] <src>… <dest>` or the JSON form `["src", …, "dest"]`. */
export function copyInstruction(c: Ctx, flags: RawFlag[], text: string, base: number): CopyInstruction {
  const k = c.keyword as 'COPY' | 'ADD';
  const exec = parseExec(text);
  if (exec && isProblem(exec)) throw fail(c, base + exec.offset, `${k}: the JSON form must be an array of strings. ${exec.message}`, `Expected ${k} ["src", "/dest/"] or ${k} src /dest/`);
  if (!exec) rejectHeredoc(c, text, base);
  const toks: Token[] = exec ? exec.argv.map((s, i) => ({ text: quoteWord(s, c.escape), offset: base + exec.offsets[i] })) : words(c, text, base);
  if (toks.length < 2) throw fail(c, toks.length ? toks[0].offset : base, `${k} needs at least one source and a destination${toks.length ? `, got only ${quote(exec ? exec.argv[0] : toks[0].text)}` : ''}`, `Expected ${k} <src>… <dest>`);
  const ins: CopyInstruction = { kind: k, pos: c.line.pos, raw: c.line.text, sources: toks.slice(0, -1).map((t) => toWord(c, t)), dest: toWord(c, toks[toks.length - 1]) };
  // moby treats an empty string flag (`--chown=`) as not given.
  const value = (f: RawFlag): Word | undefined => (f.value ? { text: f.raw ?? f.value, pos: c.line.at(f.valueOffset) } : undefined);
  for (const f of flags) {
    if (f.name === 'from') ins.from = value(f);
    else if (f.name === 'chown') ins.chown = value(f);
    else if (f.name === 'chmod') ins.chmod = value(f);
    else if (f.name === 'checksum') ins.checksum = value(f);
    else if (f.name === 'link') ins.link = f.value === 'true';
    else if (f.name === 'parents') ins.parents = f.value === 'true';
    else if (f.name === 'keep-git-dir') ins.keepGitDir = f.value === 'true';
    else if (f.name === 'unpack') ins.unpack = f.value === 'true';
    else if (f.name === 'exclude') {
      const w = value(f);
      if (w) (ins.exclude ??= []).push(w);
    }
  }
  return ins;
}
