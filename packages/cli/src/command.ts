import type { ParseArgsConfig } from 'node:util';
import type { Logger } from '@pipeline/core';
import type { UiMode } from './ui/logger.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
  logger: Logger;
  mode: UiMode;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Aborted by Ctrl-C / SIGTERM for commands wrapped with interruptible() (interrupt.ts). */
  signal?: AbortSignal;
  /** Prints the command's result: JSON in --json mode, else the human text. */
  result(json: unknown, human: string): void;
}

/** A CLI command: its flags, its help, and what it does. Commands are loaded lazily. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: Options;
  /** Help lines for the options, in order. */
  help: string[];
  run(ctx: CommandContext): Promise<number>;
}
