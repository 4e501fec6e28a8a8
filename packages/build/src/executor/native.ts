import { DockerfileError, type Digest, type Logger, silentLogger } from '@pipeline/core';
import { parseDockerfile, expandWord, expandWords } from '../dockerfile/index.js';
import type { ArgInstruction, CopyInstruction, Dockerfile, Instruction, RunInstruction, Stage, VarLookup, Word } from '../dockerfile/types.js';
import { addEmptyHistory, appendLayers, type Image } from '../model/image.js';
import type { Layer } from '../model/layer.js';
import type { Platform } from '../model/types.js';
import { applyConfigStep, type Expander } from './config-steps.js';
import { findStage, neededStages } from './stages.js';
import { lookupOf } from './vars.js';

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
  const needed = neededStages(df, opts.target);
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
      if (!r) throw new DockerfileError(`stage ${JSON.stringify(fromText)} was not built`, { file: df.file, ...stage.from.image.pos });
      image = r.image;
      base = { name: fromText, stage: prior.index, digest: r.base.digest };
    } else {
      const b = await log.group(`FROM ${fromText}`, () => opts.runner.base(fromText, stage.from.image, platform));
      image = b.image;
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
      image = addEmptyHistory({ ...image, config: { ...image.config, config: next } }, { created, created_by: ins.raw });
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
  if (!os || !architecture) throw new DockerfileError(`Expected --platform=os/arch[/variant], got ${JSON.stringify(text)}`, { file, ...w.pos });
  return { os, architecture, ...(variant ? { variant } : {}) };
}
