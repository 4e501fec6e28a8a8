import { DeployError } from '@pipeline/core';
import type { Instance } from '../../../model/instance.js';
import { haproxyCommand, parseStat } from './haproxy-socket.js';
import type { TrafficSwitch } from './switch.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * HAProxy through its runtime API: servers are added, drained and deleted on the live process,
 * without a reload, so in-flight requests are never cut and no config file is rewritten.
 */
export class HaproxySwitch implements TrafficSwitch {
  constructor(readonly socket: string, readonly backend: string) {}

  private server(i: Instance): string {
    return `${this.backend}/${i.name}`;
  }

  private async cmd(c: string, ok: (out: string) => boolean = (o) => o === '' || /^(New server registered|Server deleted)/.test(o)): Promise<string> {
    const out = await haproxyCommand(this.socket, c);
    if (!ok(out)) throw new DeployError(`haproxy: "${c}" answered: ${out}`);
    return out;
  }

  async servers(): Promise<Record<string, Record<string, string>>> {
    const rows = parseStat(await haproxyCommand(this.socket, 'show stat'));
    return Object.fromEntries(rows.filter((r) => r.pxname === this.backend && r.svname !== 'BACKEND' && r.svname !== 'FRONTEND').map((r) => [r.svname, r]));
  }

  async add(i: Instance): Promise<void> {
    const have = await this.servers();
    if (!have[i.name]) await this.cmd(`add server ${this.server(i)} ${i.address}:${i.port}`);
    await this.cmd(`enable server ${this.server(i)}`);
  }

  async drain(i: Instance, deadlineMs: number): Promise<void> {
    const have = await this.servers();
    if (!have[i.name]) return;
    await this.cmd(`set server ${this.server(i)} state drain`);
    // In-flight requests finish; new ones go elsewhere. Wait until the server holds no session.
    const t0 = Date.now();
    for (;;) {
      const s = (await this.servers())[i.name];
      if (!s || Number(s.scur) === 0 || Date.now() - t0 >= deadlineMs) break;
      await sleep(50);
    }
    await this.cmd(`set server ${this.server(i)} state maint`);
  }

  async remove(i: Instance): Promise<void> {
    const have = await this.servers();
    if (!have[i.name]) return;
    await this.cmd(`set server ${this.server(i)} state maint`);
    await haproxyCommand(this.socket, `shutdown sessions server ${this.server(i)}`);
    for (let k = 0; k < 50; k++) {
      const out = await haproxyCommand(this.socket, `del server ${this.server(i)}`);
      if (/Server deleted/.test(out) || /No such server/i.test(out)) return;
      await sleep(100); // idle connections still attached: retry shortly
    }
  }

  /** Makes the backend hold exactly the given instances (after an interrupted deploy). */
  async sync(running: Instance[]): Promise<void> {
    const have = await this.servers();
    const names = new Set(running.map((i) => i.name));
    for (const i of running) if (!have[i.name] || have[i.name].status === 'MAINT') await this.add(i);
    for (const name of Object.keys(have)) {
      if (!names.has(name)) await this.remove({ name } as Instance);
    }
  }

  async counters(): Promise<{ requests: number; errors: number }> {
    const rows = parseStat(await haproxyCommand(this.socket, 'show stat'));
    const be = rows.find((r) => r.pxname === this.backend && r.svname === 'BACKEND');
    const n = (k: string) => Number(be?.[k] || 0);
    return { requests: n('hrsp_1xx') + n('hrsp_2xx') + n('hrsp_3xx') + n('hrsp_4xx') + n('hrsp_5xx') + n('hrsp_other'), errors: n('hrsp_5xx') };
  }
}
