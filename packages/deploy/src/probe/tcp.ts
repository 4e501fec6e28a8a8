import { connect } from 'node:net';
import type { Probe, ProbeResult } from './probe.js';

/** A TCP connect to the instance's address:port. */
export function tcpProbe(): Probe {
  return {
    name: 'tcp connect',
    check: (inst, _t, timeoutMs) =>
      new Promise<ProbeResult>((resolve) => {
        const s = connect({ host: inst.address, port: inst.port });
        const done = (ok: boolean, output: string) => {
          s.destroy();
          resolve({ ok, output });
        };
        s.setTimeout(timeoutMs, () => done(false, `no connection in ${timeoutMs} ms`));
        s.on('connect', () => done(true, `connected to ${inst.address}:${inst.port}`));
        s.on('error', (e) => done(false, e.message));
      }),
  };
}
