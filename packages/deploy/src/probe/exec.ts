import type { Probe } from './probe.js';

/** A command inside the container; ok on exit status 0. */
export function execProbe(cmd: string[]): Probe {
  return {
    name: `exec ${cmd.join(' ')}`,
    async check(inst, runtime, timeoutMs) {
      try {
        const r = await runtime.exec(inst, cmd, timeoutMs);
        return { ok: r.exitCode === 0, output: `exit ${r.exitCode}${r.output ? `: ${r.output.slice(-300)}` : ''}` };
      } catch (e) {
        return { ok: false, output: (e as Error).message };
      }
    },
  };
}

/** The image's own HEALTHCHECK as the engine reports it; `starting` is not yet a failure. */
export function healthcheckProbe(): Probe {
  return {
    name: 'docker HEALTHCHECK',
    async check(inst, runtime) {
      const h = await runtime.inspectHealth(inst);
      if (!h.health) return { ok: false, output: 'the image defines no HEALTHCHECK' };
      return { ok: h.health === 'healthy', output: `${h.health}${h.log ? `: ${h.log.slice(-300)}` : ''}` };
    },
  };
}
