import { quote } from '@pipeline/core';
import type { Instruction, Word } from './types.js';
import { fail, fields, quoteWord, toWord, words, type Ctx } from './context.js';
import { checkFlags } from './flags.js';
import { splitFlags, type RawFlag } from './tokens.js';
import { command, shellArgv } from './commands.js';
import { copyInstruction } from './copy.js';
import { healthcheck } from './healthcheck.js';
import { argDecls, keyValues } from './pairs.js';
import { rejectHeredoc } from './heredoc.js';
import { isProblem, parseExec } from './json.js';

export const KEYWORDS = ['FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL'] as const;

// moby: lowercase after AS, then a letter followed by letters, digits, - _ .
const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;
const RESERVED = new Set(['scratch', 'context']);
const PORT = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp|sctp))?$/i;

/** Parses one logical line whose keyword is known; `parseTrigger` validates ONBUILD's instruction. */
export function parseInstruction(c: Ctx, parseTrigger: (offset: number) => void): Instruction {
  const text = c.line.text.slice(c.argsAt);
  const base = c.argsAt;
  const k = c.keyword;
  const pos = c.line.pos;
  const raw = c.line.text;
  // moby reads leading --flags for every instruction, then each rejects the ones it does not know.
  const { flags, rest, restOffset } = splitFlags(text, base, c.escape);
  const problem = checkFlags(k, flags);
  if (problem) throw fail(c, problem.offset, problem.message, problem.hint);
  const one = (what: string, example: string): Word => {
    const value = rest.trim();
    if (!value) throw fail(c, restOffset, `${k} needs ${what}`, `Expected ${example}`);
    return { text: value, pos: c.line.at(restOffset + rest.indexOf(value)) };
  };
  switch (k) {
    case 'FROM': {
      const t = fields(rest, restOffset);
      if (!t.length) throw fail(c, restOffset, 'FROM needs an image', 'Expected FROM [--platform=<platform>] <image> [AS <name>]');
      if (t.length === 2 || t.length > 3 || (t.length === 3 && t[1].text.toLowerCase() !== 'as')) throw fail(c, t[1].offset, `Expected AS <name> or the end of the line after the image, got ${quote(t.slice(1).map((x) => x.text).join(' '))}`, 'Expected FROM [--platform=<platform>] <image> [AS <name>]');
      let as: string | undefined;
      if (t.length === 3) {
        as = t[2].text.toLowerCase();
        if (!STAGE_NAME.test(as)) throw fail(c, t[2].offset, `invalid stage name ${quote(t[2].text)}`, 'Expected a name starting with a letter, then letters, digits, - _ or .');
        if (RESERVED.has(as)) throw fail(c, t[2].offset, `the stage name ${quote(t[2].text)} is reserved`, 'Expected a stage name other than scratch or context');
      }
      const platform = flags.find((f) => f.name === 'platform');
      return { kind: 'FROM', pos, raw, image: toWord(c, t[0]), platform: platform?.value ? { text: platform.raw ?? platform.value, pos: c.line.at(platform.valueOffset) } : undefined, as };
    }
    case 'ARG':
      return { kind: 'ARG', pos, raw, args: argDecls(c, rest, restOffset) };
    case 'ENV':
      return { kind: 'ENV', pos, raw, pairs: keyValues(c, rest, restOffset).map((p) => ({ key: p.key.text, value: toWord(c, p.value) })) };
    case 'LABEL':
      return { kind: 'LABEL', pos, raw, pairs: keyValues(c, rest, restOffset).map((p) => ({ key: toWord(c, p.key), value: toWord(c, p.value) })) };
    case 'COPY':
    case 'ADD':
      return copyInstruction(c, flags, rest, restOffset);
    case 'RUN':
      if (!parseExec(rest)) rejectHeredoc(c, rest, restOffset);
      return { kind: 'RUN', pos, raw, command: command(c, rest, restOffset), flags: runFlags(c, flags) };
    case 'CMD':
    case 'ENTRYPOINT':
      return { kind: k, pos, raw, command: command(c, rest, restOffset) };
    case 'SHELL':
      return { kind: 'SHELL', pos, raw, argv: shellArgv(c, rest, restOffset) };
    case 'WORKDIR':
      return { kind: 'WORKDIR', pos, raw, path: one('a path', 'WORKDIR /path') };
    case 'USER': {
      const t = words(c, rest, restOffset);
      if (t.length > 1) throw fail(c, t[1].offset, `USER takes exactly one argument, got ${quote(rest.trim())}`, 'Expected USER <user>[:<group>]');
      return { kind: 'USER', pos, raw, user: one('a user', 'USER <user>[:<group>]') };
    }
    case 'STOPSIGNAL': {
      const t = fields(rest, restOffset);
      if (t.length > 1) throw fail(c, t[1].offset, `STOPSIGNAL takes exactly one signal, got ${quote(rest.trim())}`, 'Expected STOPSIGNAL SIGTERM or a signal number');
      return { kind: 'STOPSIGNAL', pos, raw, signal: one('a signal', 'STOPSIGNAL SIGTERM or a signal number') };
    }
    case 'MAINTAINER':
      return { kind: 'MAINTAINER', pos, raw, name: one('a name', 'MAINTAINER <name> (or better: LABEL org.opencontainers.image.authors=…)').text };
    case 'EXPOSE': {
      const t = words(c, rest, restOffset);
      if (!t.length) throw fail(c, restOffset, 'EXPOSE needs a port', 'Expected EXPOSE <port>[/<protocol>]…');
      for (const p of t) checkPort(c, p.text, p.offset);
      return { kind: 'EXPOSE', pos, raw, ports: t.map((x) => toWord(c, x)) };
    }
    case 'VOLUME': {
      const exec = parseExec(rest);
      if (exec && isProblem(exec)) throw fail(c, restOffset + exec.offset, `VOLUME: the JSON form must be an array of strings. ${exec.message}`, 'Expected VOLUME ["/data"] or VOLUME /data');
      if (exec?.argv.some((s) => !s.trim())) throw fail(c, restOffset + exec.offsets[exec.argv.findIndex((s) => !s.trim())], 'VOLUME: a path must not be empty', 'Expected VOLUME ["/data"]');
      const t = exec ? exec.argv.map((s, i) => ({ text: quoteWord(s, c.escape), offset: restOffset + exec.offsets[i] })) : words(c, rest, restOffset);
      if (!t.length) throw fail(c, restOffset, 'VOLUME needs a path', 'Expected VOLUME /data or VOLUME ["/data"]');
      return { kind: 'VOLUME', pos, raw, paths: t.map((x) => toWord(c, x)) };
    }
    case 'HEALTHCHECK':
      return healthcheck(c, flags, rest, restOffset);
    case 'ONBUILD': {
      const trigger = rest.trim();
      if (!trigger) throw fail(c, restOffset, 'ONBUILD needs an instruction', 'Expected ONBUILD <instruction>, e.g. ONBUILD COPY . /app');
      const at = restOffset + rest.indexOf(trigger);
      const kw = /^\S+/.exec(trigger)![0].toUpperCase();
      if (kw === 'ONBUILD') throw fail(c, at, 'ONBUILD ONBUILD is not allowed', 'Expected ONBUILD with one instruction other than ONBUILD, FROM or MAINTAINER');
      if (kw === 'FROM' || kw === 'MAINTAINER') throw fail(c, at, `ONBUILD ${kw} is not allowed`, 'Expected ONBUILD with one instruction other than ONBUILD, FROM or MAINTAINER');
      parseTrigger(at);
      return { kind: 'ONBUILD', pos, raw, trigger };
    }
  }
  throw fail(c, 0, `unknown instruction ${quote(k)}`);
}

function runFlags(c: Ctx, flags: RawFlag[]) {
  return flags.map((f) => ({ name: f.name, value: f.value === undefined ? undefined : { text: f.raw ?? f.value, pos: c.line.at(f.valueOffset) } }));
}

/** EXPOSE 80, 80/tcp, 8000-8010/udp; words with `$` are checked after expansion by the executor. */
function checkPort(c: Ctx, p: string, offset: number) {
  if (p.includes('$')) return;
  const m = PORT.exec(p);
  const bad = !m || Number(m[1]) > 65535 || (m[2] !== undefined && (Number(m[2]) > 65535 || Number(m[2]) < Number(m[1])));
  if (!m) {
    const proto = /^\d+(?:-\d+)?\/(.*)$/.exec(p);
    if (proto) throw fail(c, offset + p.indexOf('/') + 1, `Expected the protocol tcp, udp or sctp, got ${quote(proto[1])}`, 'Expected EXPOSE <port>[/<protocol>]');
  }
  if (bad) throw fail(c, offset, `Expected a port like 80, 80/tcp or 8000-8010/udp (ports 0-65535), got ${quote(p)}`);
}
