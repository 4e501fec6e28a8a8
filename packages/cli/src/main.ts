import { parseArgs } from 'node:util';
import { cut, isPipelineError, mask, quote } from '@pipeline/core';
import { commands } from './commands/index.js';
import type { Command, CommandContext } from './command.js';
import { createLogger, detectMode } from './ui/logger.js';
import { VERSION } from './version.js';

const GLOBAL = {
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

function topHelp(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  return [
    'pipeline: build → test → push → deploy, without docker-in-docker',
    '',
    'Usage: pipeline <command> [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    '  --json        print the result as JSON on stdout (logs go to stderr)',
    '  -q, --quiet   only warnings and errors',
    '  -v, --verbose more detail',
    '  -h, --help    help for a command: pipeline <command> --help',
    '',
    'Exit codes: 0 ok, 1 the job failed (tests failed, deploy rolled back), 2 bad input.',
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [`Usage: ${c.usage}`, '', c.summary, '', 'Options:', ...c.help.map((h) => `  ${h}`)].join('\n');
}

/** Runs the CLI and returns its exit code; never throws for a user's mistake. */
export async function main(argv: string[], io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream & { isTTY?: boolean }; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    stdout.write(topHelp() + '\n');
    return 0;
  }
  if (name === '--version' || name === 'version') {
    stdout.write(`pipeline ${VERSION}\n`);
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    stderr.write(`error: unknown command ${quote(name)}\n  hint: expected one of: ${Object.keys(commands).join(', ')}\n`);
    return 2;
  }
  const cmd = await entry.load();
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...GLOBAL, ...cmd.options }, allowPositionals: true, strict: true });
  } catch (e) {
    stderr.write(`error: ${cut((e as Error).message, 200)}\n  hint: see pipeline ${name} --help\n`);
    return 2;
  }
  if (parsed.values.help) {
    stdout.write(commandHelp(cmd) + '\n');
    return 0;
  }
  const mode = detectMode({ json: !!parsed.values.json, quiet: !!parsed.values.quiet }, io.env ?? process.env, stderr);
  const logger = createLogger(mode, !!parsed.values.verbose, stderr);
  const ctx: CommandContext = {
    values: parsed.values as CommandContext['values'],
    positionals: parsed.positionals,
    logger,
    mode,
    cwd: io.cwd ?? process.cwd(),
    env: io.env ?? process.env,
    result: (json, human) => stdout.write(mask(mode === 'json' ? JSON.stringify(json, null, 2) : human) + '\n'),
  };
  try {
    return await cmd.run(ctx);
  } catch (e) {
    if (isPipelineError(e)) {
      if (mode === 'json') stdout.write(JSON.stringify({ error: { kind: e.kind, message: mask(e.message), position: e.position, hint: e.hint } }, null, 2) + '\n');
      stderr.write(`error: ${mask(e.format())}\n`);
      return e.exitCode;
    }
    stderr.write(`internal error: ${mask((e as Error)?.stack ?? String(e))}\n`);
    return 1;
  }
}
