import { UsageError, formatReference, parseReference, quote } from '@pipeline/core';
import { checkOutputTarget, parseOutput } from '@pipeline/build';
import type { Command, CommandContext } from '../command.js';
import { cacheDirFlag, settingFlags, str, list } from '../flags.js';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { buildPipeline } from './build-pipeline.js';
import { interruptibleCommand } from '../interrupt.js';
import { hasConfig, PIPELINE_FLAGS, PIPELINE_HELP } from '../pipeline/session.js';
import { destinations, logins, resolveFacts, resolveSettings, wantsSingleImage } from '../settings/index.js';
import { buildAndPublish } from '../api/build-and-publish.js';

const command: Command = {
  name: 'build',
  summary: 'Build an image from a Dockerfile without a daemon',
  usage: 'pipeline build [CONTEXT] [-f Dockerfile] [-o oci:DIR | docker-archive:FILE.tar] [-t REGISTRY/REPO:TAG | --push --image REPO] [options]',
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
    push: { type: 'boolean' },
    image: { type: 'string', short: 'i' },
    force: { type: 'boolean' },
    label: { type: 'string', multiple: true },
    'insecure-registry': { type: 'string', multiple: true },
    'no-git-labels': { type: 'boolean' },
    'no-test': { type: 'boolean' },
    ...PIPELINE_FLAGS,
  },
  help: [
    '-f, --file PATH            Dockerfile (default: CONTEXT/Dockerfile)',
    '-c, --context DIR          build context (default: the positional CONTEXT or .)',
    '-o, --output SPEC          oci:DIR[:tag] | docker-archive:FILE[:name:tag] | registry:REPO (repeatable)',
    '-t, --tag NAME             name the image, as docker build -t (repeatable; also PIPELINE_TAGS):',
    '                           REGISTRY/REPO:TAG is pushed there; a bare TAG is a tag of --image (with',
    '                           pipeline.yml: of each image built) instead of the git ones; NAME:TAG names',
    '                           the docker-archive and OCI outputs',
    '-i, --image REPO           repository to push to, e.g. 127.0.0.1:5000/team/app (with --push)',
    '    --push                 push to --image, tagged from git (full SHA, sha-<short>, branch, semver)',
    '    --build-arg KEY[=VAL]  build argument; KEY alone takes the value from the environment',
    '    --target STAGE         build up to this stage',
    '    --platform OS/ARCH     platform of FROM images (default linux/amd64)',
    '    --format oci|docker    manifest media types (default oci; docker = schema2)',
    '    --cache-dir DIR        layer cache (default $XDG_CACHE_HOME/pipeline)',
    '    --no-cache             rebuild every layer',
    '    --compression-level N  gzip level 0-9 (default 1: fast, the registry stores it once)',
    '    --force                move a SHA tag that points at another image (refused otherwise)',
    '    --label KEY=VALUE      add a label (OCI revision/source/created labels come from git)',
    '    --no-git-labels        leave the OCI revision/source/created labels out',
    '    --insecure-registry H  allow plain HTTP to H if it does not speak TLS (loopback registries always may)',
    '    --no-test              pipeline mode: skip the tests declared in pipeline.yml',
    ...PIPELINE_HELP,
    '    --executor NAME        native (default: no daemon, no RUN) | engine (RUN via the host Docker socket) | chroot (RUN as root, daemonless)',
    'Registry logins: PIPELINE_REGISTRY_USERNAME/PASSWORD (for --registry, else the registry pushed to), else docker login.',
  ],
  async run(ctx: CommandContext) {
    const v = ctx.values;
    const flags = settingFlags(v);
    // With pipeline.yml and no Dockerfile named: the pipeline mode, positionals are image names.
    const early = resolveSettings({ flags, env: ctx.env, door: 'cli' });
    const single = wantsSingleImage(early) || list(v.output).length > 0 || ctx.positionals.some((p) => existsSync(resolve(ctx.cwd, p)));
    if (!single && hasConfig(ctx.cwd, early.config)) return buildPipeline(ctx, ctx.positionals);
    if (ctx.positionals.length > 1) throw new UsageError(`Expected at most one CONTEXT, got ${quote(ctx.positionals.join(' '))}`);
    const format = str(v.format) ?? 'oci';
    if (format !== 'oci' && format !== 'docker') throw new UsageError(`Expected --format oci or docker, got ${quote(format)}`);
    const level = str(v['compression-level']);
    if (level !== undefined && !/^[0-9]$/.test(level)) throw new UsageError(`Expected --compression-level 0-9, got ${quote(level)}`);
    const outputs = list(v.output).map((o) => parseOutput(o, ctx.cwd));
    for (const o of outputs) checkOutputTarget(o);
    const cacheDir = cacheDirFlag(v['cache-dir'], ctx.cwd);
    // A name recorded in a docker-archive must be a reference `docker load` accepts: refuse it now, not after the build.
    for (const o of outputs) if (o.kind === 'docker-archive' && o.ref) parseReference(o.ref);
    // `-o registry:REPO` is --push --image REPO.
    const registryOut = outputs.find((o) => o.kind === 'registry');
    if (registryOut) {
      flags.push = true;
      if (registryOut.kind === 'registry' && registryOut.ref) flags.image ??= formatReference({ registry: registryOut.ref.registry, repository: registryOut.ref.repository });
    }
    const input = { flags, env: ctx.env, door: 'cli' as const };
    const s = resolveSettings(input);
    const executor = s.executor ?? 'native';
    const context = resolve(ctx.cwd, s.context ?? ctx.positionals[0] ?? '.');
    // git runs beside the build (it costs ~100 ms); labels and git tags wait for it, the build does not.
    const facts = resolveFacts(input, context);
    facts.catch(() => {});
    const dest = destinations(s, facts, 'remote-tags');
    if (!outputs.some((o) => o.kind !== 'registry') && !dest.push) ctx.logger.warn('no --output given: the image is built and cached, but written nowhere');
    const r = await buildAndPublish({
      context,
      file: s.file ? resolve(ctx.cwd, s.file) : undefined,
      buildArgs: s.buildArgs,
      target: s.target,
      platform: s.platform,
      labels: s.labels,
      gitLabels: !v['no-git-labels'],
      noCache: s.noCache,
      cacheDir,
      compressionLevel: level === undefined ? undefined : Number(level),
      executor,
      format,
      outputs: outputs.filter((o) => o.kind !== 'registry'),
      destinations: dest,
      facts,
      force: !!v.force,
      insecureRegistries: [...list(v['insecure-registry']), ...(s.insecure ? dest.repositories.map((d) => d.repository.registry) : [])],
      logins: logins(s, dest.repositories[0]?.repository.registry),
      logger: ctx.logger,
      env: ctx.env,
      signal: ctx.signal,
    });
    const push = r.pushes[0];
    ctx.result(
      { ...r, ...(push ? { push } : {}) },
      [
        `built ${r.digest} (${r.layerCount} layers, ${(r.size / 1048576).toFixed(1)} MiB)`,
        ...r.bases.map((b) => `  base ${b.name}${b.digest ? `@${b.digest}` : ''}`),
        ...r.outputs.map((w) => `  → ${w.output}`),
        ...r.pushes.map((p) => `  tags ${p.repository}: ${p.tags.join(', ') || '(none)'}`),
      ].join('\n'),
    );
    return 0;
  },
};
export default interruptibleCommand(command, 'the build');
