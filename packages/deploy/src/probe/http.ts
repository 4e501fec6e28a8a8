import { request } from 'node:http';
import type { Probe, ProbeResult } from './probe.js';

/** GET path on the instance's address:port; ok when the status is the expected one. */
export function httpProbe(o: { path: string; status: number; host?: string }): Probe {
  return {
    name: `http GET ${o.path} → ${o.status}`,
    check: (inst, _t, timeoutMs) =>
      new Promise<ProbeResult>((resolve) => {
        const req = request({ host: inst.address, port: inst.port, path: o.path, method: 'GET', headers: { host: o.host ?? `${inst.address}:${inst.port}`, connection: 'close' }, timeout: timeoutMs, agent: false }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body.length < 500 ? (body += c) : undefined));
          res.on('end', () => resolve({ ok: res.statusCode === o.status, output: `HTTP ${res.statusCode} ${body.trim().slice(0, 200)}` }));
          res.on('error', (e) => resolve({ ok: false, output: e.message }));
        });
        req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
        req.on('error', (e) => resolve({ ok: false, output: e.message }));
        req.end();
      }),
  };
}
