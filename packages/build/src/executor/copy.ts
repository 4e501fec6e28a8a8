import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { DockerfileError, type Logger } from '@pipeline/core';
import type { CopyInstruction } from '../dockerfile/types.js';
import type { Image } from '../model/image.js';
import { copyToLayer, addTarToLayer, isTarArchive } from '../layer/index.js';
import { loadIgnore } from '../context/index.js';
import type { StepContext, StepRunner } from './native.js';
import { findStage } from './stages.js';
import { resolveOwner, type Owner } from './users.js';
import { readFileFromImage } from './read-file.js';
import { unpackImage } from './rootfs.js';
import { fetchUrl, isRemoteUrl, urlFileName } from './fetch-url.js';

export interface CopyRunnerOptions {
  context: string;
  dockerfile: string;
  store: string;
  cacheDir: string;
  noCache: boolean;
  epoch: number;
  compressionLevel?: number;
  loadBase: StepRunner['base'];
  logger: Logger;
}

/** Builds COPY/ADD layers: from the context, from another stage or image, from URLs and local archives. */
export async function makeCopyRunner(o: CopyRunnerOptions): Promise<StepRunner['copy']> {
  const ignore = await loadIgnore(o.context, o.dockerfile);
  const unpacked = new Map<string, Promise<string>>();
  const temps: string[] = [];
  process.once('exit', () => temps.forEach((t) => void rm(t, { recursive: true, force: true })));

  // A stage or image used by COPY --from is unpacked once per build into a private root.
  const rootOf = (key: string, image: () => Promise<Image>): Promise<string> => {
    let p = unpacked.get(key);
    if (!p) {
      p = (async () => {
        const dir = await mkdtemp(join(tmpdir(), 'pipeline-from-'));
        temps.push(dir);
        await unpackImage(await image(), dir);
        return dir;
      })();
      unpacked.set(key, p);
    }
    return p;
  };

  return async (ins: CopyInstruction, ctx: StepContext) => {
    const x = ctx.expand;
    const where = { file: o.dockerfile, pos: ins.pos };
    const sources = ins.sources.map((w) => x.word(w));
    let dest = x.word(ins.dest);
    const workdir = ctx.image.config.config.WorkingDir || '/';
    const dirDest = dest.endsWith('/') || sources.length > 1;
    dest = posix.resolve(workdir, dest) + (dirDest && dest !== '/' ? '/' : '');
    let owner: Owner | undefined;
    if (ins.chown) owner = await resolveOwner(x.word(ins.chown), (p) => readFileFromImage(ctx.image, p), { file: o.dockerfile, pos: ins.chown.pos });
    let chmod: number | undefined;
    if (ins.chmod) {
      const m = x.word(ins.chmod);
      if (!/^[0-7]{3,4}$/.test(m)) throw new DockerfileError(`Expected --chmod as octal like 0755, got ${JSON.stringify(m)}`, { file: o.dockerfile, ...ins.chmod.pos });
      chmod = parseInt(m, 8);
    }
    const excludes = (ins.exclude ?? []).map((w) => x.word(w));
    const label = `${o.dockerfile.split('/').pop()}:${ins.pos.line} ${ins.kind} ${sources.join(' ')}`.slice(0, 40);
    const onProgress = (done: number, total: number) => o.logger.progress(`layer:${ins.pos.line}`, label, done, total);
    const common = { dest, owner, chmod, excludes, epoch: o.epoch, store: o.store, cacheDir: o.noCache ? undefined : o.cacheDir, compressionLevel: o.compressionLevel, where, onProgress };

    if (ins.from) {
      const ref = x.word(ins.from);
      const stage = findStage(ctx.df, ref, ctx.stage.index);
      const root = stage
        ? await rootOf(`stage:${stage.index}`, async () => {
            const r = ctx.stages.get(stage.index);
            if (!r) throw new DockerfileError(`COPY --from=${ref}: that stage was not built`, { file: o.dockerfile, ...ins.from!.pos });
            return r.image;
          })
        : await rootOf(`image:${ref}`, async () => (await o.loadBase(ref, ins.from!)).image);
      return copyToLayer({ ...common, root, sources });
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
      // .dockerignore applies as to COPY: an ignored archive is not in the context at all.
      if (sources.length === 1 && (await isTarArchive(o.context, sources[0], ignore))) {
        return addTarToLayer({ ...common, context: o.context, source: sources[0], ignore });
      }
    }
    return copyToLayer({ ...common, context: o.context, ignore, sources });
  };
}
