import { posix } from 'node:path';
import { DockerfileError, quote } from '@pipeline/core';
import type { Command, Instruction, Word } from '../dockerfile/types.js';
import type { ContainerConfig } from '../model/types.js';
import { setEnv } from './vars.js';

/** Expansion bound to the current stage's variables and the file's escape token. */
export interface Expander {
  word(w: Word): string;
  words(w: Word): string[];
  file: string;
}

const DEFAULT_SHELL = ['/bin/sh', '-c'];

export function commandArgv(cmd: Command, shell: string[] | undefined): string[] {
  return cmd.form === 'exec' ? cmd.argv : [...(shell?.length ? shell : DEFAULT_SHELL), cmd.script];
}

const PORT = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp|sctp))?$/i;

function exposePorts(words: string[], w: Word, file: string): string[] {
  const out: string[] = [];
  for (const p of words) {
    const m = PORT.exec(p);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m?.[2] ? Number(m[2]) : lo;
    if (!m || lo < 1 || hi > 65535 || hi < lo) throw new DockerfileError(`Expected a port like 80, 80/tcp or 8000-8010/udp, got ${quote(p)}`, { file, ...w.pos });
    const proto = (m[3] ?? 'tcp').toLowerCase();
    for (let n = lo; n <= hi; n++) out.push(`${n}/${proto}`);
  }
  return out;
}

/**
 * Applies an instruction that only changes the image config. Returns undefined for
 * instructions that are not config-only (FROM, COPY, ADD, RUN, ARG).
 */
export function applyConfigStep(ins: Instruction, c: ContainerConfig, x: Expander, meta: { cmdFromBase: boolean }): ContainerConfig | undefined {
  switch (ins.kind) {
    case 'ENV': {
      let env = c.Env;
      for (const p of ins.pairs) env = setEnv(env, p.key, x.word(p.value));
      return { ...c, Env: env };
    }
    case 'LABEL': {
      const labels = { ...(c.Labels ?? {}) };
      for (const p of ins.pairs) labels[x.word(p.key)] = x.word(p.value);
      return { ...c, Labels: labels };
    }
    case 'WORKDIR': {
      const p = x.word(ins.path);
      return { ...c, WorkingDir: posix.resolve(c.WorkingDir || '/', p) };
    }
    case 'USER': {
      const u = x.word(ins.user);
      if (!u) throw new DockerfileError('Expected USER <user>[:<group>], got an empty value', { file: x.file, ...ins.user.pos });
      return { ...c, User: u };
    }
    case 'EXPOSE': {
      const ports = { ...(c.ExposedPorts ?? {}) };
      for (const w of ins.ports) for (const p of exposePorts(x.words(w), w, x.file)) ports[p] = {};
      return { ...c, ExposedPorts: ports };
    }
    case 'VOLUME': {
      const vols = { ...(c.Volumes ?? {}) };
      for (const w of ins.paths) for (const v of x.words(w)) {
        if (!v) throw new DockerfileError('Expected a VOLUME path, got an empty string', { file: x.file, ...w.pos });
        vols[v] = {};
      }
      return { ...c, Volumes: vols };
    }
    case 'STOPSIGNAL':
      return { ...c, StopSignal: x.word(ins.signal) };
    case 'CMD':
      return { ...c, Cmd: commandArgv(ins.command, c.Shell) };
    case 'ENTRYPOINT':
      // A CMD inherited from the base makes no sense with a new ENTRYPOINT: Docker drops it.
      return { ...c, Entrypoint: commandArgv(ins.command, c.Shell), ...(meta.cmdFromBase ? { Cmd: null } : {}) };
    case 'SHELL':
      return { ...c, Shell: ins.argv };
    case 'HEALTHCHECK':
      if (!ins.command) return { ...c, Healthcheck: { Test: ['NONE'] } };
      return {
        ...c,
        Healthcheck: {
          Test: ins.command.form === 'exec' ? ['CMD', ...ins.command.argv] : ['CMD-SHELL', ins.command.script],
          ...(ins.interval !== undefined ? { Interval: ins.interval } : {}),
          ...(ins.timeout !== undefined ? { Timeout: ins.timeout } : {}),
          ...(ins.startPeriod !== undefined ? { StartPeriod: ins.startPeriod } : {}),
          ...(ins.startInterval !== undefined ? { StartInterval: ins.startInterval } : {}),
          ...(ins.retries !== undefined ? { Retries: ins.retries } : {}),
        },
      };
    case 'ONBUILD':
      return { ...c, OnBuild: [...(c.OnBuild ?? []), ins.trigger] };
    default:
      return undefined;
  }
}
