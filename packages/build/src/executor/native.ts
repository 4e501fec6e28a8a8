import { DockerfileError, type Digest, type Logger, silentLogger, quote } from '@pipeline/core';
import { parseDockerfile, expandWord, expandWords } from '../dockerfile/index.js';
import type { ArgInstruction, CopyInstruction, Dockerfile, Instruction, Pos, RunInstruction, Stage, VarLookup, Word } from '../dockerfile/types.js';
import { addEmptyHistory, appendLayers, type Image } from '../model/image.js';
import type { Layer } from '../model/layer.js';
import type { Platform } from '../model/types.js';
import { applyConfigStep, type Expander } from './config-steps.js';
import { findStage, neededStages } from './stages.js';
import { envToMap, lookupOf } from './vars.js';
import { atLine } from './position.js';
import { FsViewError } from '../fs/view.js';

export interface StageResult {
  stage: Stage;
  image: Image;
  /** The base this stage was built FROM (a source, or another stage's name). */
  base: { name: string; digest?: Digest; stage?: number };
}

/** What COPY/ADD and RUN need to see of a stage while it runs. */
export interface StepContext {
  stage: Stage;
  image: Image;
  expand: Expander;
  /** Finished stages, for COPY --from. */
  stages: ReadonlyMap<number, StageResult>;
  df: Dockerfile;
  lookup: VarLookup;
  /** ARGs declared in this stage so far (RUN sees them as env). */
  args: ReadonlyMap<string, string | undefined>;
}

/** Turns COPY/ADD (and, in other executors, RUN) into a layer. */
export interface StepRunner {
  copy(ins: CopyInstruction, ctx: StepContext): Promise<{ layer: Layer; cached: boolean }>;
  run?(ins: RunInstruction, ctx: StepContext): Promise<{ layer: Layer; cached: boolean } | undefined>;
  /** Creates WORKDIR's directory (with its parents, owned by USER); undefined when it exists. */
  mkdir?(path: string, ctx: StepContext, pos: Pos): Promise<{ layer: Layer; cached: boolean } | undefined>;
  /** Loads a FROM source that is not a stage. */
  base(text: string, word: Word, platform?: Platform): Promise<{ image: Image; name: string; digest?: Digest }>;
}

export interface ExecuteOptions {
  buildArgs?: Record<string, string>;
  target?: string;
  platform?: Platform;
  /** Seconds since the epoch for `created` (SOURCE_DATE_EPOCH semantics). */
  epoch: number;
  logger?: Logger;
  runner: StepRunner;
  /** Names the executors that can run RUN, for the error when this one can't. */
  runHint?: string;
  /**
   * Each layer of the final image as soon as it is known: the base's at the final stage's FROM,
   * then each new one (a push can start on them while later layers are still being built).
   */
  onLayer?: (layer: Layer) => void;
}

export interface ExecuteResult {
  image: Image;
  stages: StageResult[];
  unusedBuildArgs: string[];
  layers: { instruction: string; digest: Digest; size: number; cached: boolean }[];
}

/** The PATH BuildKit gives a stage whose base sets none (and a scratch image). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** What BuildKit gives every stage's config before its first line: a PATH, and for scratch a WorkingDir. */
function stageDefaults(image: Image, scratch: boolean): Image {
  const c = image.config.config;
  const env = envToMap(c.Env).has('PATH') ? c.Env : [...(c.Env ?? []), `PATH=${DEFAULT_PATH}`];
  if (env === c.Env && !(scratch && !c.WorkingDir)) return image;
  return { ...image, config: { ...image.config, config: { ...c, Env: env, ...(scratch && !c.WorkingDir ? { WorkingDir: '/' } : {}) } } };
}

function platformArgs(p: Platform | undefined): Record<string, string> {
  const os = p?.os ?? 'linux';
  const arch = p?.architecture ?? 'amd64';
  const plat = [os, arch, p?.variant].filter(Boolean).join('/');
  return { TARGETPLATFORM: plat, TARGETOS: os, TARGETARCH: arch, TARGETVARIANT: p?.variant ?? '', BUILDPLATFORM: plat, BUILDOS: os, BUILDARCH: arch, BUILDVARIANT: p?.variant ?? '' };
}

/** Executes the stages a target needs, in order: the native (daemonless) part of every build. */
export async function execute(df: Dockerfile, opts: ExecuteOptions): Promise<ExecuteResult> {
  const log = opts.logger ?? silentLogger;
  const buildArgs = opts.buildArgs ?? {};
  const used = new Set<string>();
  const created = new Date(opts.epoch * 1000).toISOString();
  const xopts = { file: df.file, escape: df.escape };
  const bind = (lookup: VarLookup): Expander => ({ word: (w) => expandWord(w, lookup, xopts), words: (w) => expandWords(w, lookup, xopts), file: df.file });

  // Global scope: platform args, then ARGs before the first FROM.
  const global = new Map<string, string | undefined>(Object.entries(platformArgs(opts.platform)));
  const declare = (ins: ArgInstruction, scope: Map<string, string | undefined>, fallback?: Map<string, string | undefined>) => {
    for (const a of ins.args) {
      const given = Object.hasOwn(buildArgs, a.name) ? buildArgs[a.name] : undefined;
      if (given !== undefined) used.add(a.name);
      const dflt = a.value ? bind((n) => scope.get(n) ?? undefined).word(a.value) : fallback?.get(a.name);
      scope.set(a.name, given ?? dflt);
    }
  };
  for (const g of df.globalArgs) declare(g, global);

  const results = new Map<number, StageResult>();
  const layers: ExecuteResult['layers'] = [];
  let last: StageResult | undefined;
  const needed = neededStages(df, opts.target, (s) => bind((n) => global.get(n)).word(s.from.image));
  const finalIndex = needed[needed.length - 1]?.index;
  for (const stage of needed) {
    const isFinal = stage.index === finalIndex;
    const fromText = bind((n) => global.get(n)).word(stage.from.image);
    if (!fromText) throw new DockerfileError('Expected FROM <image>, but the image name expanded to an empty string', { file: df.file, ...stage.from.image.pos });
    const platform = stage.from.platform ? parsePlatformWord(bind((n) => global.get(n)).word(stage.from.platform), df.file, stage.from.platform) : opts.platform;
    const prior = findStage(df, fromText, stage.index);
    let image: Image;
    let base: StageResult['base'];
    if (prior) {
      const r = results.get(prior.index);
      if (!r) throw new DockerfileError(`stage ${quote(fromText)} was not built`, { file: df.file, ...stage.from.image.pos });
      image = r.image;
      base = { name: fromText, stage: prior.index, digest: r.base.digest };
    } else {
      let b: Awaited<ReturnType<StepRunner['base']>>;
      try {
        b = await log.group(`FROM ${fromText}`, () => opts.runner.base(fromText, stage.from.image, platform));
      } catch (e) {
        throw atLine(e, { file: df.file, ...stage.from.image.pos });
      }
      image = stageDefaults(b.image, fromText === 'scratch');
      base = { name: b.name, digest: b.digest };
      log.info(`FROM ${b.name}${b.digest ? `@${b.digest}` : ''}`);
    }
    if (isFinal) for (const l of image.layers) opts.onLayer?.(l);
    const args = new Map<string, string | undefined>();
    let cmdFromBase = !!image.config.config.Cmd;
    const onbuild = image.config.config.OnBuild ?? [];
    let instructions: Instruction[] = stage.instructions;
    if (onbuild.length) {
      // Base triggers run first, as if written right after FROM; they are not inherited further.
      const triggers = parseDockerfile(`FROM scratch\n${onbuild.join('\n')}\n`, `${df.file} (ONBUILD of ${fromText})`).stages[0].instructions;
      instructions = [...triggers.map((t) => ({ ...t, pos: stage.from.pos })), ...instructions];
      image = { ...image, config: { ...image.config, config: { ...image.config.config, OnBuild: null } } };
    }
    for (const ins of instructions) {
      const lookup = lookupOf(image.config.config.Env, args);
      const ctx: StepContext = { stage, image, expand: bind(lookup), stages: results, df, lookup, args };
      if (ins.kind === 'ARG') {
        declare(ins, args, global);
        image = addEmptyHistory(image, { created, created_by: ins.raw });
        continue;
      }
      if (ins.kind === 'MAINTAINER') {
        image = addEmptyHistory({ ...image, config: { ...image.config, author: ins.name } }, { created, created_by: ins.raw });
        continue;
      }
      if (ins.kind === 'COPY' || ins.kind === 'ADD' || ins.kind === 'RUN') {
        const r = ins.kind === 'RUN' ? await runStep(ins, ctx, opts) : await opts.runner.copy(ins, ctx);
        if (!r) {
          image = addEmptyHistory(image, { created, created_by: ins.raw });
          continue;
        }
        image = appendLayers(image, [r.layer], [{ created, created_by: ins.raw, comment: 'pipeline' }]);
        if (isFinal) opts.onLayer?.(r.layer);
        layers.push({ instruction: `${df.file}:${ins.pos.line} ${ins.raw.slice(0, 80)}`, digest: r.layer.digest, size: r.layer.size, cached: r.cached });
        log.info(`${r.cached ? 'CACHED ' : ''}${ins.raw.slice(0, 100)}`);
        continue;
      }
      if (ins.kind === 'FROM') continue;
      const next = applyConfigStep(ins, image.config.config, ctx.expand, { cmdFromBase });
      if (!next) continue;
      if (ins.kind === 'CMD') cmdFromBase = false;
      image = { ...image, config: { ...image.config, config: next } };
      const made = ins.kind === 'WORKDIR' && next.WorkingDir !== '/' ? await workdirStep(next.WorkingDir!, { ...ctx, image }, ins.pos, opts) : undefined;
      if (made) {
        image = appendLayers(image, [made.layer], [{ created, created_by: ins.raw, comment: 'pipeline' }]);
        if (isFinal) opts.onLayer?.(made.layer);
        layers.push({ instruction: `${df.file}:${ins.pos.line} ${ins.raw.slice(0, 80)}`, digest: made.layer.digest, size: made.layer.size, cached: made.cached });
      } else image = addEmptyHistory(image, { created, created_by: ins.raw });
    }
    image = { ...image, config: { ...image.config, created } };
    last = { stage, image, base };
    results.set(stage.index, last);
  }
  if (!last) throw new DockerfileError('Expected at least one FROM instruction', { file: df.file, line: 1, column: 1 });
  const unusedBuildArgs = Object.keys(buildArgs).filter((k) => !used.has(k) && !(k in platformArgs(opts.platform)));
  if (unusedBuildArgs.length) log.warn(`build args not consumed by any ARG: ${unusedBuildArgs.join(', ')}`);
  return { image: last.image, stages: [...results.values()], unusedBuildArgs, layers };
}

/** WORKDIR creates its directory (BuildKit's mkdir -p, as USER); a file in the way is the line's error. */
async function workdirStep(path: string, ctx: StepContext, pos: Pos, opts: ExecuteOptions) {
  if (!opts.runner.mkdir) return undefined;
  try {
    return await opts.runner.mkdir(path, ctx, pos);
  } catch (e) {
    if (e instanceof FsViewError) throw new DockerfileError(`WORKDIR ${path}: ${e.message}`, { file: ctx.df.file, ...pos });
    throw e;
  }
}

async function runStep(ins: RunInstruction, ctx: StepContext, opts: ExecuteOptions) {
  if (opts.runner.run) return opts.runner.run(ins, ctx);
  throw new DockerfileError(
    'RUN needs an executor that can run commands; the native executor builds without any daemon and cannot',
    { file: ctx.df.file, ...ins.pos },
    opts.runHint ?? 'use --executor engine (RUN through the host Docker Engine socket) or --executor chroot (daemonless, as root in a CI container)',
  );
}

function parsePlatformWord(text: string, file: string, w: Word): Platform {
  const [os, architecture, variant] = text.split('/');
  if (!os || !architecture) throw new DockerfileError(`Expected --platform=os/arch[/variant], got ${quote(text)}`, { file, ...w.pos });
  return { os, architecture, ...(variant ? { variant } : {}) };
}
