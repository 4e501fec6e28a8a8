import { createHash } from 'node:crypto';
import { ContextError, DockerfileError, type Logger, type SourcePosition, quote, cut } from '@pipeline/core';
import type { CopyInstruction } from '../dockerfile/types.js';
import type { Image } from '../model/image.js';
import { copyToLayer, addTarToLayer, isTarArchive, imageIndex, mkdirToLayer, type ArchiveLimits } from '../layer/index.js';
import { hasGlob, loadIgnore, resolveSource, type Ignore } from '../context/index.js';
import { resolveInRoot } from '../fs/in-root.js';
import type { FsIndex } from '../fs/image-index.js';
import type { StepContext, StepRunner } from './native.js';
import { findStage } from './stages.js';
import { resolveOwner, type Owner } from './users.js';
import { readFileFromImage } from './read-file.js';
import { privateRoot, unpackImage, type PrivateRoot } from './rootfs.js';
import { fetchUrl, isRemoteUrl, urlFileName } from './fetch-url.js';
import { atLine } from './position.js';

export interface CopyRunnerOptions {
  context: string;
  dockerfile: string;
  store: string;
  cacheDir: string;
  noCache: boolean;
  epoch: number;
  compressionLevel?: number;
  loadBase: StepRunner['base'];
  archiveLimits?: ArchiveLimits;
  logger: Logger;
}

/** COPY/ADD and WORKDIR's directory: what changes files without running anything. */
export interface FileSteps {
  copy: StepRunner['copy'];
  mkdir: NonNullable<StepRunner['mkdir']>;
  /** Removes the roots unpacked for COPY --from (also done, synchronously, if the process exits first). */
  close(): void;
}

/** The layers' identity, for cache keys that depend on the whole image so far. */
const imageKey = (image: Image) => createHash('sha256').update(image.layers.map((l) => l.digest).join(',')).digest('hex');

/** Builds COPY/ADD layers: from the context, from another stage or image, from URLs and local archives. */
export async function makeCopyRunner(o: CopyRunnerOptions): Promise<FileSteps> {
  const ignore = await loadIgnore(o.context, o.dockerfile);
  const unpacked = new Map<string, Promise<{ dir: string; fs: FsIndex }>>();
  const temps: PrivateRoot[] = [];
  const close = () => {
    for (const t of temps.splice(0)) t.disposeSync();
  };
  // Only synchronous work runs in an 'exit' handler: a crash still leaves no unpacked root behind.
  process.once('exit', close);
  const cacheDir = o.noCache ? undefined : o.cacheDir;
  const fsOf = (image: Image) => imageIndex(image, o.cacheDir);
  const readEtc = (image: Image) => async (path: string) => readFileFromImage(image, resolveInRoot(path, (await fsOf(image)).lookup));

  // A stage or image used by COPY --from is unpacked once per build into a private root; its owners come from its index.
  const rootOf = (key: string, image: () => Promise<Image>, where: SourcePosition) => {
    let p = unpacked.get(key);
    if (!p) {
      p = (async () => {
        const priv = await privateRoot('pipeline-from-');
        temps.push(priv);
        const img = await image();
        await unpackImage(img, priv.root, { where });
        return { dir: priv.root, fs: await fsOf(img) };
      })();
      unpacked.set(key, p);
    }
    return p;
  };

  const copy: StepRunner['copy'] = async (ins: CopyInstruction, ctx: StepContext) => {
    const x = ctx.expand;
    const where = { file: o.dockerfile, pos: ins.pos };
    const sources = ins.sources.map((w) => x.word(w));
    const dest = x.word(ins.dest);
    const workdir = ctx.image.config.config.WorkingDir || '/';
    let owner: Owner | undefined;
    if (ins.chown) owner = await resolveOwner(x.word(ins.chown), readEtc(ctx.image), { file: o.dockerfile, pos: ins.chown.pos });
    let chmod: number | undefined;
    if (ins.chmod) {
      const m = x.word(ins.chmod);
      if (!/^[0-7]{1,4}$/.test(m)) throw new DockerfileError(`Expected --chmod as octal like 0755, got ${quote(m)}`, { file: o.dockerfile, ...ins.chmod.pos });
      chmod = parseInt(m, 8);
    }
    const excludes = (ins.exclude ?? []).map((w) => x.word(w));
    const label = `${o.dockerfile.split('/').pop()}:${ins.pos.line} ${ins.kind} ${sources.join(' ')}`.slice(0, 40);
    const onProgress = (done: number, total: number) => o.logger.progress(`layer:${ins.pos.line}`, label, done, total);
    const fs = await fsOf(ctx.image);
    const common = { dest, workdir, fs, owner, chmod, excludes, epoch: o.epoch, store: o.store, cacheDir, compressionLevel: o.compressionLevel, where, onProgress };

    if (ins.from) {
      const ref = x.word(ins.from);
      const stage = findStage(ctx.df, ref, ctx.stage.index);
      const fromPos = { file: o.dockerfile, ...ins.from.pos };
      const src = stage
        ? await rootOf(`stage:${stage.index}`, async () => {
            const r = ctx.stages.get(stage.index);
            if (!r) throw new DockerfileError(`COPY --from=${cut(ref)}: that stage was not built`, { file: o.dockerfile, ...ins.from!.pos });
            return r.image;
          }, fromPos)
        : await rootOf(`image:${ref}`, async () => {
            try {
              return (await o.loadBase(ref, ins.from!)).image;
            } catch (e) {
              throw atLine(e, fromPos);
            }
          }, fromPos);
      const rootOwner = (path: string) => {
        const e = src.fs.get(path);
        return e && { uid: e.uid, gid: e.gid };
      };
      return copyToLayer({ ...common, root: src.dir, rootOwner, sources });
    }

    if (ins.kind === 'ADD') {
      const urls = sources.filter(isRemoteUrl);
      if (urls.length && urls.length !== sources.length) throw new DockerfileError('ADD with URLs and local files mixed: split it into two instructions', { file: o.dockerfile, ...ins.pos });
      if (urls.length) {
        const files = [];
        for (const u of urls) {
          const got = await fetchUrl(u, o.store, where, ins.checksum ? x.word(ins.checksum) : undefined);
          if (!ins.checksum) o.logger.warn(`${o.dockerfile}:${ins.pos.line}: ADD ${u} without --checksum: the build depends on what the server sends today`);
          files.push({ path: got.path, name: urlFileName(u) });
        }
        return copyToLayer({ ...common, files, chmod: chmod ?? 0o600 });
      }
      const archive = ins.unpack === false ? undefined : await localArchive(o.context, sources, ignore, where);
      if (archive) return addTarToLayer({ ...common, archive: archive.abs, source: archive.source, limits: o.archiveLimits, baseKey: imageKey(ctx.image) });
    }
    return copyToLayer({ ...common, context: o.context, ignore, sources });
  };

  const mkdir: FileSteps['mkdir'] = async (path, ctx, pos) => {
    const user = ctx.image.config.config.User;
    const owner = user ? await resolveOwner(user, readEtc(ctx.image), { file: o.dockerfile, pos }, { unknownAsRoot: true }) : undefined;
    return mkdirToLayer({ path, owner, fs: await fsOf(ctx.image), epoch: o.epoch, store: o.store, cacheDir, compressionLevel: o.compressionLevel });
  };

  return { copy, mkdir, close };
}

/**
 * The archive an ADD unpacks, if any: BuildKit unpacks each source that is a tar (by content).
 * One archive alone is streamed into the layer; an archive among other sources is refused.
 */
async function localArchive(context: string, sources: string[], ignore: Ignore, where: { file: string; pos: { line: number; column: number } }): Promise<{ abs: string; source: string } | undefined> {
  const found: { abs: string; source: string }[] = [];
  let count = 0;
  for (const s of sources) {
    const pos = { file: where.file, ...where.pos };
    for (const r of await resolveSource(context, s, { ignore, where: pos, allowEmpty: hasGlob(s) })) {
      count++;
      if (r.type === 'file' && (await isTarArchive(r.abs))) found.push({ abs: r.abs, source: s });
    }
  }
  if (!found.length) return undefined;
  if (count > 1) throw new ContextError(`ADD ${found[0].source}: a local archive is unpacked only as the one source of its ADD`, { file: where.file, ...where.pos }, 'split the ADD: one line for the archive, one (COPY) for the other sources');
  return found[0];
}
