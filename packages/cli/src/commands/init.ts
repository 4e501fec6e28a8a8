import { notADirectory, UsageError, parseReference, quote, cut } from '@pipeline/core';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command, CommandContext } from '../command.js';
import { str } from '../flags.js';
import { CONFIG_FILE, loadConfig } from '../config/index.js';
import { gitignoreWithState, starterConfig, starterDockerfile } from '../config/starter.js';

const exists = (p: string) => access(p).then(() => true, () => false);

const command: Command = {
  name: 'init',
  summary: 'Write a starter pipeline.yml (and a three-line Dockerfile if there is none); ignore .pipeline/ in .gitignore',
  usage: 'pipeline init [DIR] [--from IMAGE:TAG] [--name NAME] [--force]',
  options: {
    from: { type: 'string' },
    name: { type: 'string' },
    force: { type: 'boolean' },
  },
  help: [
    '    --from IMAGE:TAG  base of the app image (default node:20.11.1)',
    '    --name NAME       name of the app image (default app)',
    '    --force           overwrite an existing pipeline.yml (a Dockerfile is never overwritten)',
  ],
  async run(ctx: CommandContext) {
    if (ctx.positionals.length > 1) throw new UsageError(`Expected at most one DIR, got ${cut(ctx.positionals.join(' '))}`);
    const dir = resolve(ctx.cwd, ctx.positionals[0] ?? '.');
    const base = str(ctx.values.from) ?? 'node:20.11.1';
    const ref = parseReference(base);
    if (ref.tag === 'latest' && !ref.digest) throw new UsageError(`Expected --from with a version tag or digest, got ${quote(base)}`, 'e.g. --from node:20.11.1');
    const name = str(ctx.values.name) ?? 'app';
    if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/.test(name)) throw new UsageError(`Expected --name of lowercase letters, digits and . _ -, got ${quote(name)}`);
    const file = join(dir, CONFIG_FILE);
    if ((await exists(file)) && !ctx.values.force) throw new UsageError(`${file} exists; not overwriting it`, 'pass --force to replace it');
    const notDir = notADirectory(dir);
    if (notDir) throw new UsageError(`Expected DIR to be a directory: ${notDir}`, 'pipeline init [DIR] writes pipeline.yml (and a Dockerfile) into DIR');
    await mkdir(dir, { recursive: true });
    const written: string[] = [];
    const dockerfile = join(dir, 'Dockerfile');
    if (!(await exists(dockerfile))) {
      await writeFile(dockerfile, starterDockerfile(base), { flag: 'wx' });
      written.push(dockerfile);
    }
    await writeFile(file, starterConfig(base, name));
    written.unshift(file);
    // .pipeline/ (build record, local images) is this checkout's state: never committed.
    const gitignore = join(dir, '.gitignore');
    const ignored = gitignoreWithState(await readFile(gitignore, 'utf8').catch(() => undefined));
    if (ignored !== undefined) {
      await writeFile(gitignore, ignored);
      written.push(gitignore);
    }
    // The starter must load: a template that fails its own schema would be the worst first impression.
    const config = await loadConfig(file);
    ctx.result({ written, images: config.order }, [...written.map((w) => `wrote ${w}`), `next: pipeline lint, then pipeline build`].join('\n'));
    return 0;
  },
};
export default command;
