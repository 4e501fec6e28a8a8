import { DockerfileError } from '@pipeline/core';
import type { Command, CopyInstruction, HealthcheckInstruction, Instruction, Pos, Word } from './types.js';
import type { LogicalLine } from './lines.js';
import { parseJsonArray, splitFlags, splitWords, type Token } from './tokens.js';
import { parseDuration } from './durations.js';

export const KEYWORDS = ['FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL'] as const;

const ALLOWED_FLAGS: Record<string, string[]> = {
  FROM: ['platform'],
  COPY: ['from', 'chown', 'chmod', 'link', 'exclude', 'parents'],
  ADD: ['chown', 'chmod', 'link', 'checksum', 'keep-git-dir', 'exclude'],
  RUN: ['mount', 'network', 'security'],
  HEALTHCHECK: ['interval', 'timeout', 'start-period', 'start-interval', 'retries'],
};

interface Ctx {
  file: string;
  escape: '\\' | '`';
  line: LogicalLine;
  keyword: string;
  /** Offset of the arguments in line.text. */
  argsAt: number;
}

const err = (c: Ctx, offset: number, msg: string, hint?: string) => new DockerfileError(msg, { file: c.file, ...c.line.at(offset) }, hint);
const word = (c: Ctx, t: Token): Word => ({ text: t.text, pos: c.line.at(t.offset) });
const words = (c: Ctx, text: string, base: number) => splitWords(text, base, c.escape, { file: c.file, at: c.line.at });

function heredocCheck(c: Ctx, rest: string, base: number) {
  const m = /<<-?\s*(["']?)[A-Za-z_][A-Za-z0-9_]*\1/.exec(rest);
  if (m) throw err(c, base + m.index, `heredocs (${m[0]}) are not supported yet`, `write the content to a file in the context and COPY it, or use RUN with the commands joined by &&`);
}

function command(c: Ctx, rest: string, base: number): Command {
  const json = parseJsonArray(rest);
  if (json === 'invalid') throw err(c, base, `${c.keyword}: the exec form must be a JSON array of strings, like ["node", "server.js"]`, 'use double quotes inside the brackets, or write the shell form without brackets');
  if (json) {
    if (!json.length && c.keyword !== 'CMD' && c.keyword !== 'ENTRYPOINT') throw err(c, base, `${c.keyword} needs a command, got an empty array`);
    return { form: 'exec', argv: json };
  }
  if (!rest.trim()) throw err(c, c.argsAt, `${c.keyword} needs a command`, `Expected ${c.keyword} <command> or ${c.keyword} ["executable", "arg"]`);
  return { form: 'shell', script: rest.trim() };
}

function checkFlags(c: Ctx, flags: { name: string; value?: string; offset: number }[]) {
  const allowed = ALLOWED_FLAGS[c.keyword] ?? [];
  const seen = new Set<string>();
  for (const f of flags) {
    if (!allowed.includes(f.name)) {
      const where = Object.entries(ALLOWED_FLAGS).filter(([, v]) => v.includes(f.name)).map(([k]) => k);
      throw err(c, f.offset, `unknown flag --${f.name} for ${c.keyword}`, where.length ? `--${f.name} belongs to ${where.join('/')}; ${c.keyword} accepts ${allowed.map((a) => `--${a}`).join(' ') || 'no flags'}` : `${c.keyword} accepts ${allowed.map((a) => `--${a}`).join(' ') || 'no flags'}`);
    }
    if (seen.has(f.name) && f.name !== 'exclude' && f.name !== 'mount') throw err(c, f.offset, `--${f.name} is given twice`);
    seen.add(f.name);
    const boolean = f.name === 'link' || f.name === 'keep-git-dir' || f.name === 'parents';
    if (!boolean && (f.value === undefined || f.value === '')) throw err(c, f.offset, `--${f.name} needs a value`, `Expected --${f.name}=<value>`);
  }
}

function pairs(c: Ctx, rest: string, base: number, kind: 'ENV' | 'LABEL'): { key: Token; value: Token }[] {
  const toks = words(c, rest, base);
  if (!toks.length) throw err(c, c.argsAt, `${kind} needs at least one key=value`, `Expected ${kind} key=value [key=value…]`);
  if (!toks[0].text.includes('=')) {
    // Legacy form: `ENV key value with spaces`
    if (toks.length < 2) throw err(c, toks[0].offset, `${kind} ${toks[0].text} has no value`, `Expected ${kind} ${toks[0].text}=<value>`);
    const valueAt = toks[1].offset;
    return [{ key: toks[0], value: { text: rest.slice(valueAt - base).trim(), offset: valueAt } }];
  }
  return toks.map((t) => {
    const eq = t.text.indexOf('=');
    if (eq < 0) throw err(c, t.offset, `${kind}: ${JSON.stringify(t.text)} is not key=value`, `Expected ${kind} key=value [key=value…]; quote values with spaces`);
    if (eq === 0) throw err(c, t.offset, `${kind}: a key must not be empty`, `Expected ${kind} key=value`);
    return { key: { text: t.text.slice(0, eq), offset: t.offset }, value: { text: t.text.slice(eq + 1), offset: t.offset + eq + 1 } };
  });
}

/** A JSON-form string as one double-quoted word: kept whole, variables still expanded (as Docker does). */
function quoteWord(s: string, esc: string): string {
  return `"${s.split(esc).join(esc + esc).split('"').join(`${esc}"`)}"`;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseInstruction(c: Ctx, rest: string): Instruction {
  const base = c.argsAt;
  const pos: Pos = c.line.pos;
  const raw = c.line.text;
  const k = c.keyword;
  const { flags, rest: afterFlags, restOffset } = ALLOWED_FLAGS[k] || /^\s*--/.test(rest) ? splitFlags(rest, base) : { flags: [], rest, restOffset: base };
  if (flags.length) checkFlags(c, flags);
  const flag = (n: string) => flags.find((f) => f.name === n);
  const flagWord = (n: string): Word | undefined => {
    const f = flag(n);
    return f ? { text: f.value ?? '', pos: c.line.at(f.offset + n.length + 3) } : undefined;
  };
  const noArgs = () => err(c, base, `${k} needs an argument`);
  switch (k) {
    case 'FROM': {
      const t = words(c, afterFlags, restOffset);
      if (!t.length) throw err(c, base, 'FROM needs an image', 'Expected FROM <image> [AS <name>]');
      if (t.length === 2 || (t.length >= 2 && t[1].text.toLowerCase() !== 'as') || t.length > 3) throw err(c, t[1].offset, `unexpected ${JSON.stringify(t.slice(1).map((x) => x.text).join(' '))} after the image`, 'Expected FROM <image> [AS <name>]');
      let as: string | undefined;
      if (t.length === 3) {
        as = t[2].text.toLowerCase();
        if (!/^[a-z][a-z0-9-_.]*$/.test(as)) throw err(c, t[2].offset, `invalid stage name ${JSON.stringify(t[2].text)}`, 'Expected a name starting with a letter, then letters, digits, - _ .');
      }
      return { kind: 'FROM', pos, raw, image: word(c, t[0]), platform: flagWord('platform'), as };
    }
    case 'ARG': {
      const t = words(c, afterFlags, restOffset);
      if (!t.length) throw noArgs();
      return {
        kind: 'ARG', pos, raw,
        args: t.map((a) => {
          const eq = a.text.indexOf('=');
          const name = eq < 0 ? a.text : a.text.slice(0, eq);
          if (!NAME.test(name)) throw err(c, a.offset, `invalid ARG name ${JSON.stringify(name)}`, 'Expected ARG <name>[=<default>] with a name of letters, digits and _');
          return eq < 0 ? { name } : { name, value: { text: a.text.slice(eq + 1), pos: c.line.at(a.offset + eq + 1) } };
        }),
      };
    }
    case 'ENV':
      return {
        kind: 'ENV', pos, raw,
        pairs: pairs(c, afterFlags, restOffset, 'ENV').map((p) => {
          if (/[\s=]/.test(p.key.text) || !p.key.text) throw err(c, p.key.offset, `invalid ENV name ${JSON.stringify(p.key.text)}`);
          return { key: p.key.text, value: word(c, p.value) };
        }),
      };
    case 'LABEL':
      return { kind: 'LABEL', pos, raw, pairs: pairs(c, afterFlags, restOffset, 'LABEL').map((p) => ({ key: word(c, p.key), value: word(c, p.value) })) };
    case 'COPY':
    case 'ADD': {
      heredocCheck(c, afterFlags, restOffset);
      const json = parseJsonArray(afterFlags);
      if (json === 'invalid') throw err(c, restOffset, `${k}: the JSON form must be an array of strings, like ["src", "/dest/"]`);
      const t: Token[] = json ? json.map((s) => ({ text: quoteWord(s, c.escape), offset: restOffset })) : words(c, afterFlags, restOffset);
      if (t.length < 2) throw err(c, t.length ? t[0].offset : base, `${k} needs at least one source and a destination`, `Expected ${k} <src>… <dest>`);
      const ins: CopyInstruction = { kind: k, pos, raw, sources: t.slice(0, -1).map((x) => word(c, x)), dest: word(c, t[t.length - 1]) };
      if (flag('from')) ins.from = flagWord('from');
      if (flag('chown')) ins.chown = flagWord('chown');
      if (flag('chmod')) ins.chmod = flagWord('chmod');
      if (flag('checksum')) ins.checksum = flagWord('checksum');
      if (flag('link')) ins.link = flag('link')!.value !== 'false';
      if (flag('keep-git-dir')) ins.keepGitDir = flag('keep-git-dir')!.value !== 'false';
      if (flag('parents')) ins.parents = flag('parents')!.value !== 'false';
      const ex = flags.filter((f) => f.name === 'exclude');
      if (ex.length) ins.exclude = ex.map((f) => ({ text: f.value ?? '', pos: c.line.at(f.offset + 10) }));
      return ins;
    }
    case 'RUN':
      heredocCheck(c, afterFlags, restOffset);
      return { kind: 'RUN', pos, raw, command: command(c, afterFlags, restOffset), flags: flags.map((f) => ({ name: f.name, value: f.value === undefined ? undefined : { text: f.value, pos: c.line.at(f.offset) } })) };
    case 'CMD':
    case 'ENTRYPOINT':
      return { kind: k, pos, raw, command: command(c, rest, base) };
    case 'SHELL': {
      const json = parseJsonArray(rest);
      if (!json || json === 'invalid' || !json.length) throw err(c, base, 'SHELL must be a non-empty JSON array, like ["/bin/bash", "-c"]');
      return { kind: 'SHELL', pos, raw, argv: json };
    }
    case 'WORKDIR':
      if (!rest.trim()) throw err(c, base, 'WORKDIR needs a path', 'Expected WORKDIR /path');
      return { kind: 'WORKDIR', pos, raw, path: { text: rest.trim(), pos: c.line.at(base) } };
    case 'USER': {
      const t = words(c, rest, base);
      if (t.length !== 1) throw err(c, t.length ? t[1].offset : base, t.length ? 'USER takes exactly one argument' : 'USER needs a user', 'Expected USER <user>[:<group>]');
      return { kind: 'USER', pos, raw, user: word(c, t[0]) };
    }
    case 'EXPOSE': {
      const t = words(c, rest, base);
      if (!t.length) throw err(c, base, 'EXPOSE needs a port', 'Expected EXPOSE <port>[/<protocol>]…');
      for (const p of t) if (!p.text.includes('$') && !/^\d{1,5}(-\d{1,5})?(\/(tcp|udp|sctp))?$/i.test(p.text)) throw err(c, p.offset, `Expected a port like 80, 80/tcp or 8000-8010/udp, got ${JSON.stringify(p.text)}`);
      return { kind: 'EXPOSE', pos, raw, ports: t.map((x) => word(c, x)) };
    }
    case 'VOLUME': {
      const json = parseJsonArray(rest);
      if (json === 'invalid') throw err(c, base, 'VOLUME: the JSON form must be an array of strings');
      const t = json ? json.map((s) => ({ text: quoteWord(s, c.escape), offset: base })) : words(c, rest, base);
      if (!t.length) throw err(c, base, 'VOLUME needs a path');
      return { kind: 'VOLUME', pos, raw, paths: t.map((x) => word(c, x)) };
    }
    case 'STOPSIGNAL': {
      const t = words(c, rest, base);
      if (t.length !== 1) throw err(c, base, 'STOPSIGNAL takes exactly one signal', 'Expected STOPSIGNAL SIGTERM or a number');
      return { kind: 'STOPSIGNAL', pos, raw, signal: word(c, t[0]) };
    }
    case 'HEALTHCHECK':
      return healthcheck(c, flags, afterFlags, restOffset);
    case 'ONBUILD': {
      const trig = rest.trim();
      const kw = trig.split(/\s+/)[0]?.toUpperCase() ?? '';
      if (!trig) throw err(c, base, 'ONBUILD needs an instruction');
      if (kw === 'ONBUILD' || kw === 'FROM' || kw === 'MAINTAINER') throw err(c, base, `ONBUILD ${kw} is not allowed`, 'Expected ONBUILD with an instruction other than ONBUILD, FROM or MAINTAINER');
      if (!(KEYWORDS as readonly string[]).includes(kw)) throw err(c, base, `ONBUILD: unknown instruction ${JSON.stringify(kw)}`);
      return { kind: 'ONBUILD', pos, raw, trigger: trig };
    }
    case 'MAINTAINER':
      if (!rest.trim()) throw noArgs();
      return { kind: 'MAINTAINER', pos, raw, name: rest.trim() };
  }
  throw err(c, 0, `unknown instruction ${k}`);
}

function healthcheck(c: Ctx, flags: { name: string; value?: string; offset: number }[], rest: string, base: number): HealthcheckInstruction {
  const pos = c.line.pos;
  const raw = c.line.text;
  const t = rest.trim();
  const kw = t.split(/\s+/)[0]?.toUpperCase();
  if (kw === 'NONE') {
    if (flags.length || t.split(/\s+/).length > 1) throw err(c, base, 'HEALTHCHECK NONE takes no options or arguments');
    return { kind: 'HEALTHCHECK', pos, raw, command: null };
  }
  if (kw !== 'CMD') throw err(c, base, `Expected HEALTHCHECK [options] CMD <command> or HEALTHCHECK NONE, got ${JSON.stringify(t.split(/\s+/)[0] ?? '')}`);
  const cmdAt = base + rest.indexOf(t) + 3;
  const ins: HealthcheckInstruction = { kind: 'HEALTHCHECK', pos, raw, command: command({ ...c, keyword: 'HEALTHCHECK' }, t.slice(3), cmdAt) };
  for (const f of flags) {
    if (f.name === 'retries') {
      if (!/^\d+$/.test(f.value!) || Number(f.value) < 0) throw err(c, f.offset, `Expected --retries to be a whole number, got ${JSON.stringify(f.value)}`);
      ins.retries = Number(f.value);
      continue;
    }
    const ns = parseDuration(f.value!);
    if (ns === undefined) throw err(c, f.offset, `Expected --${f.name} as a duration like 30s, 1m30s or 500ms, got ${JSON.stringify(f.value)}`);
    if (ns !== 0 && ns < 1e6) throw err(c, f.offset, `--${f.name} must be at least 1ms, got ${f.value}`);
    if (f.name === 'interval') ins.interval = ns;
    else if (f.name === 'timeout') ins.timeout = ns;
    else if (f.name === 'start-period') ins.startPeriod = ns;
    else ins.startInterval = ns;
  }
  return ins;
}
