import { UsageError } from '@pipeline/core';
import { buildImage, parseOutput, writeOciLayout, writeDockerArchive, configBlob, manifestBlob } from '@pipeline/build';
import type { Command, CommandContext } from '../command.js';
import { parseBuildArgs, str, list } from '../flags.js';
import { resolve } from 'node:path';

const command: Command = {
  name: 'build',
  summary: 'Build an image from a Dockerfile without a daemon',
  usage: 'pipeline build [CONTEXT] [--file Dockerfile] --output oci:DIR | docker-archive:FILE.tar [options]',
  options: {
    file: { type: 'string', short: 'f' },
    context: { type: 'string', short: 'c' },
    output: { type: 'string', short: 'o', multiple: true },
    tag: { type: 'string', short: 't', multiple: true },
    'build-arg': { type: 'string', multiple: true },
    target: { type: 'string' },
    platform: { type: 'string' },
    format: { type: 'string' },
    'cache-dir': { type: 'string' },
    'no-cache': { type: 'boolean' },
    'compression-level': { type: 'string' },
    executor: { type: 'string' },
  },
  help: [
    '-f, --file PATH            Dockerfile (default: CONTEXT/Dockerfile)',
    '-c, --context DIR          build context (default: the positional CONTEXT or .)',
    '-o, --output SPEC          oci:DIR[:tag] | docker-archive:FILE[:name:tag] (repeatable)',
    '-t, --tag NAME:TAG         name recorded in docker-archive outputs (repeatable)',
    '    --build-arg KEY[=VAL]  build argument; KEY alone takes the value from the environment',
    '    --target STAGE         build up to this stage',
    '    --platform OS/ARCH     platform of FROM images (default linux/amd64)',
    '    --format oci|docker    manifest media types (default oci; docker = schema2)',
    '    --cache-dir DIR        layer cache (default $XDG_CACHE_HOME/pipeline)',
    '    --no-cache             rebuild every layer',
    '    --compression-level N  gzip level 0-9 (default 1: fast, the registry stores it once)',
    '    --executor NAME        native (default: no daemon, no RUN) | engine (RUN via the host Docker socket) | chroot (RUN as root, daemonless)',
  ],
  async run(ctx: CommandContext) {
    const v = ctx.values;
    if (ctx.positionals.length > 1) throw new UsageError(`Expected at most one CONTEXT, got ${ctx.positionals.join(' ')}`);
    const context = resolve(ctx.cwd, str(v.context) ?? ctx.positionals[0] ?? '.');
    const format = str(v.format) ?? 'oci';
    if (format !== 'oci' && format !== 'docker') throw new UsageError(`Expected --format oci or docker, got ${JSON.stringify(format)}`);
    const level = str(v['compression-level']);
    if (level !== undefined && !/^[0-9]$/.test(level)) throw new UsageError(`Expected --compression-level 0-9, got ${JSON.stringify(level)}`);
    const outputs = list(v.output).map((o) => parseOutput(o, ctx.cwd));
    const tags = list(v.tag);
    if (!outputs.length) ctx.logger.warn('no --output given: the image is built and cached, but written nowhere');
    const file = str(v.file);
    const executor = str(v.executor) ?? 'native';
    if (!['native', 'engine', 'chroot'].includes(executor)) throw new UsageError(`Expected --executor native, engine or chroot, got ${JSON.stringify(executor)}`);
    const r = await buildImage({
      context,
      file: file ? resolve(ctx.cwd, file) : undefined,
      buildArgs: parseBuildArgs(list(v['build-arg']), ctx.env),
      target: str(v.target),
      platform: str(v.platform),
      cacheDir: str(v['cache-dir']),
      noCache: !!v['no-cache'],
      compressionLevel: level === undefined ? undefined : Number(level),
      logger: ctx.logger,
      env: ctx.env,
      executor: executor as 'native' | 'engine' | 'chroot',
    });
    const written: { output: string; digest: string }[] = [];
    for (const o of outputs) {
      if (o.kind === 'oci') {
        const w = await writeOciLayout(r.image, o.dir, { flavor: format, refName: o.ref ?? tags[0]?.split(':').pop() ?? 'latest', localStore: r.store });
        written.push({ output: `oci:${o.dir}`, digest: w.digest });
      } else if (o.kind === 'docker-archive') {
        const repoTags = o.ref ? [o.ref.includes(':') ? o.ref : `${o.ref}:latest`] : tags;
        const w = await writeDockerArchive(r.image, o.file, { flavor: format === 'oci' ? 'oci' : 'docker', repoTags, mtime: new Date(r.epoch * 1000) });
        written.push({ output: `docker-archive:${o.file}`, digest: w.digest });
      } else {
        throw new UsageError('--output registry needs the push support (pipeline build --push)');
      }
    }
    const manifest = manifestBlob(r.image, format);
    const size = configBlob(r.image, format).bytes.length + manifest.bytes.length + r.image.layers.reduce((n, l) => n + l.size, 0);
    ctx.result(
      { digest: manifest.digest, mediaType: manifest.descriptor.mediaType, size, epoch: r.epoch, epochFrom: r.epochFrom, bases: r.bases, layers: r.layers, outputs: written },
      [`built ${manifest.digest} (${r.image.layers.length} layers, ${(size / 1048576).toFixed(1)} MiB)`, ...r.bases.map((b) => `  base ${b.name}${b.digest ? `@${b.digest}` : ''}`), ...written.map((w) => `  → ${w.output}`)].join('\n'),
    );
    return 0;
  },
};
export default command;
