import { UsageError, formatReference, parseReference } from '@pipeline/core';
import { buildImage, parseOutput, writeOciLayout, writeDockerArchive, configBlob, manifestBlob, startPublish, readGitInfo, computeTags, ociLabels, withLabels, type Publisher } from '@pipeline/build';
import type { Command, CommandContext } from '../command.js';
import { parseBuildArgs, str, list } from '../flags.js';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { buildPipeline } from './build-pipeline.js';
import { hasConfig, PIPELINE_FLAGS, PIPELINE_HELP } from '../pipeline/session.js';

const command: Command = {
  name: 'build',
  summary: 'Build an image from a Dockerfile without a daemon',
  usage: 'pipeline build [CONTEXT] [--file Dockerfile] [--output oci:DIR | docker-archive:FILE.tar] [--push --image REPO] [options]',
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
    '-o, --output SPEC          oci:DIR[:tag] | docker-archive:FILE[:name:tag] (repeatable)',
    '-t, --tag NAME:TAG         name recorded in docker-archive outputs (repeatable)',
    '    --build-arg KEY[=VAL]  build argument; KEY alone takes the value from the environment',
    '    --target STAGE         build up to this stage',
    '    --platform OS/ARCH     platform of FROM images (default linux/amd64)',
    '    --format oci|docker    manifest media types (default oci; docker = schema2)',
    '    --cache-dir DIR        layer cache (default $XDG_CACHE_HOME/pipeline)',
    '    --no-cache             rebuild every layer',
    '    --compression-level N  gzip level 0-9 (default 1: fast, the registry stores it once)',
    '    --push                 push to --image, tagged from git (full SHA, sha-<short>, branch, semver)',
    '-i, --image REPO           registry repository, e.g. 127.0.0.1:5000/team/app (with --push or -o registry)',
    '-t, --tag TAG              with --push: push these tags instead of the git-derived ones',
    '    --force                move a SHA tag that points at another image (refused otherwise)',
    '    --label KEY=VALUE      add a label (OCI revision/source/created labels come from git)',
    '    --insecure-registry H  allow plain HTTP to H (loopback registries always may)',
    '    --no-test              pipeline mode: skip the tests declared in pipeline.yml',
    ...PIPELINE_HELP,
    '    --executor NAME        native (default: no daemon, no RUN) | engine (RUN via the host Docker socket) | chroot (RUN as root, daemonless)',
  ],
  async run(ctx: CommandContext) {
    const v = ctx.values;
    // With pipeline.yml and no Dockerfile named: the pipeline mode, positionals are image names.
    const single = v.file !== undefined || v.context !== undefined || list(v.output).length > 0 || ctx.positionals.some((p) => existsSync(resolve(ctx.cwd, p)));
    if (!single && hasConfig(ctx.cwd, str(v.config))) return buildPipeline(ctx, ctx.positionals);
    if (ctx.positionals.length > 1) throw new UsageError(`Expected at most one CONTEXT, got ${ctx.positionals.join(' ')}`);
    const context = resolve(ctx.cwd, str(v.context) ?? ctx.positionals[0] ?? '.');
    const format = str(v.format) ?? 'oci';
    if (format !== 'oci' && format !== 'docker') throw new UsageError(`Expected --format oci or docker, got ${JSON.stringify(format)}`);
    const level = str(v['compression-level']);
    if (level !== undefined && !/^[0-9]$/.test(level)) throw new UsageError(`Expected --compression-level 0-9, got ${JSON.stringify(level)}`);
    const outputs = list(v.output).map((o) => parseOutput(o, ctx.cwd));
    const tags = list(v.tag);
    const push = !!v.push || outputs.some((o) => o.kind === 'registry');
    const registryOut = outputs.find((o) => o.kind === 'registry');
    const imageText = str(v.image) ?? (registryOut?.kind === 'registry' && registryOut.ref ? formatReference({ ...registryOut.ref, tag: undefined }) : undefined);
    if (push && !imageText) throw new UsageError('--push needs --image REGISTRY/REPOSITORY (or --output registry:REF)', 'e.g. pipeline build . --push --image 127.0.0.1:5000/team/app');
    const repo = imageText ? parseReference(imageText) : undefined;
    if (!outputs.length && !push) ctx.logger.warn('no --output given: the image is built and cached, but written nowhere');
    // git runs beside the build (it costs ~100 ms); its labels are applied to the finished image.
    const gitP = readGitInfo(context, ctx.env);
    gitP.catch(() => {});
    // Push tags from git are worked out beside the build too; the push (even its early blobs)
    // waits for them, and a failure there stops it before anything is sent.
    const pushTagsP = (async () => {
      if (!push) return [];
      if (tags.length) return tags.map((t) => (t.includes(':') ? t.slice(t.lastIndexOf(':') + 1) : t));
      const git = await gitP;
      const out = git ? computeTags(git, {}, ctx.env) : [];
      if (!out.length) throw new UsageError(`${context} is not a git checkout, so there is no commit to tag the image with`, 'give tags with --tag, or build inside a git repository');
      return out;
    })();
    pushTagsP.catch(() => {});
    const labels: Record<string, string> = {};
    for (const l of list(v.label)) {
      const i = l.indexOf('=');
      if (i <= 0) throw new UsageError(`Expected --label KEY=VALUE, got ${JSON.stringify(l)}`);
      labels[l.slice(0, i)] = l.slice(i + 1);
    }
    const file = str(v.file);
    const executor = str(v.executor) ?? 'native';
    if (!['native', 'engine', 'chroot'].includes(executor)) throw new UsageError(`Expected --executor native, engine or chroot, got ${JSON.stringify(executor)}`);
    // The push starts with the build: base layers are mounted and each new layer uploaded while
    // later ones are still being built; the manifest and tags only once every blob is confirmed.
    const publisher = push && repo ? startPublish(repo, { tags: pushTagsP, flavor: format, force: !!v.force, insecure: list(v['insecure-registry']), logger: ctx.logger, env: ctx.env }) : undefined;
    const r = await buildImage({
      onLayer: publisher ? (l) => publisher.prefetch(l) : undefined,
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
      insecureRegistries: list(v['insecure-registry']),
    });
    await pushTagsP; // a push that cannot be tagged stops here, before any output is written
    r.image = withLabels(r.image, { ...(v['no-git-labels'] ? {} : ociLabels(await gitP, { title: repo?.repository.split('/').pop() })), ...labels });
    const written: { output: string; digest: string }[] = [];
    for (const o of outputs) {
      if (o.kind === 'oci') {
        const w = await writeOciLayout(r.image, o.dir, { flavor: format, refName: o.ref ?? tags[0]?.split(':').pop() ?? 'latest', localStore: r.store });
        written.push({ output: `oci:${o.dir}`, digest: w.digest });
      } else if (o.kind === 'docker-archive') {
        const repoTags = o.ref ? [o.ref.includes(':') ? o.ref : `${o.ref}:latest`] : tags;
        const w = await writeDockerArchive(r.image, o.file, { flavor: format === 'oci' ? 'oci' : 'docker', repoTags, mtime: new Date(r.epoch * 1000), localStore: r.store });
        written.push({ output: `docker-archive:${o.file}`, digest: w.digest });
      }
    }
    let pushed: Awaited<ReturnType<Publisher['publish']>> | undefined;
    if (publisher) {
      pushed = await publisher.publish(r.image);
      written.push({ output: `registry:${pushed.reference}`, digest: pushed.digest });
    }
    const manifest = manifestBlob(r.image, format);
    const size = configBlob(r.image, format).bytes.length + manifest.bytes.length + r.image.layers.reduce((n, l) => n + l.size, 0);
    ctx.result(
      { digest: manifest.digest, mediaType: manifest.descriptor.mediaType, size, epoch: r.epoch, epochFrom: r.epochFrom, bases: r.bases, layers: r.layers, outputs: written, ...(pushed ? { push: { reference: pushed.reference, tags: pushed.tags, uploadedBytes: pushed.uploadedBytes, mountedBlobs: pushed.mountedBlobs, skippedBlobs: pushed.skippedBlobs } } : {}) },
      [`built ${manifest.digest} (${r.image.layers.length} layers, ${(size / 1048576).toFixed(1)} MiB)`, ...r.bases.map((b) => `  base ${b.name}${b.digest ? `@${b.digest}` : ''}`), ...written.map((w) => `  → ${w.output}`), ...(pushed ? [`  tags: ${pushed.tags.join(', ') || '(unchanged)'}`] : [])].join('\n'),
    );
    return 0;
  },
};
export default command;
