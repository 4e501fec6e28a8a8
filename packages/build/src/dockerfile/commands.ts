import { quote } from '@pipeline/core';
import type { Command } from './types.js';
import { fail, type Ctx } from './context.js';
import { isProblem, parseExec } from './json.js';

const EXAMPLE: Record<string, string> = {
  RUN: 'RUN ["apt-get", "install", "-y", "curl"]',
  CMD: 'CMD ["node", "server.js"]',
  ENTRYPOINT: 'ENTRYPOINT ["/docker-entrypoint.sh"]',
  HEALTHCHECK: 'HEALTHCHECK CMD ["curl", "-f", "http://localhost/"]',
  SHELL: 'SHELL ["/bin/bash", "-c"]',
};

/** Exec form (JSON array) or shell form, for RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD. */
export function command(c: Ctx, text: string, base: number, name = c.keyword): Command {
  const exec = parseExec(text);
  if (exec && isProblem(exec)) throw fail(c, base + exec.offset, `${name}: the exec form must be a JSON array of strings. ${exec.message}`, `Expected for example ${EXAMPLE[c.keyword]}; or write the shell form without brackets`);
  if (exec) {
    if (!exec.argv.length && c.keyword !== 'CMD' && c.keyword !== 'ENTRYPOINT') throw fail(c, base, `${name} needs a command, got an empty array`, `Expected for example ${EXAMPLE[c.keyword]}`);
    return { form: 'exec', argv: exec.argv };
  }
  if (!text.trim()) throw fail(c, base, `${name} needs a command`, `Expected ${name} <command> or ${EXAMPLE[c.keyword]}`);
  return { form: 'shell', script: text.trim() };
}

/** SHELL accepts only the JSON form, with at least the executable. */
export function shellArgv(c: Ctx, text: string, base: number): string[] {
  const exec = parseExec(text);
  if (!exec) throw fail(c, base, text.trim() ? `SHELL must be a JSON array, got ${quote(text.trim())}` : 'SHELL needs a JSON array', `Expected ${EXAMPLE.SHELL}`);
  if (isProblem(exec)) throw fail(c, base + exec.offset, `SHELL must be a JSON array of strings. ${exec.message}`, `Expected ${EXAMPLE.SHELL}`);
  if (!exec.argv.length) throw fail(c, base, 'SHELL needs at least the executable, got an empty array', `Expected ${EXAMPLE.SHELL}`);
  return exec.argv;
}
