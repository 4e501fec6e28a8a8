import { LABEL } from '../../labels.js';
import type { HistoryEntry, LockInfo, RecordReceipt, StateStore } from '../../model/store.js';
import type { SwarmApi } from './api.js';
import { stateConfigName } from './names.js';

/**
 * Lock and history in the Swarm itself, as Swarm configs, so they survive the machine that ran the deploy
 * and every manager sees them: the lock is a config created by name (names are unique: creation is atomic),
 * each history entry a config of its own, written once with its deploy id.
 */
export class SwarmConfigStore implements StateStore {
  readonly where = 'the Swarm';
  private readonly labels: Record<string, string>;

  constructor(private readonly api: SwarmApi, private readonly app: string, private readonly env: string) {
    this.labels = { [LABEL.app]: app, [LABEL.env]: env };
  }

  private get place(): string {
    return `swarm ${this.api.manager.url}`;
  }

  async lock(info: Omit<LockInfo, 'host'>): Promise<LockInfo | undefined> {
    const me: LockInfo = { ...info, host: this.place };
    if (await this.api.createConfig(stateConfigName('lock', this.app, this.env), { ...this.labels, [LABEL.role]: 'lock' }, JSON.stringify(me))) return undefined;
    return (await this.current()) ?? { owner: 'unknown', message: 'lock vanished while reading', time: new Date().toISOString(), deployId: '?', host: this.place };
  }

  private async current(): Promise<(LockInfo & { configId: string }) | undefined> {
    const c = await this.api.config(stateConfigName('lock', this.app, this.env));
    return c ? { ...(JSON.parse(c.data) as LockInfo), host: this.place, configId: c.id } : undefined;
  }

  async locks(): Promise<Record<string, LockInfo | undefined>> {
    const l = await this.current();
    if (!l) return { [this.place]: undefined };
    const { configId: _, ...info } = l;
    return { [this.place]: info };
  }

  async unlock(holder?: { deployId: string; host?: string }): Promise<void> {
    const l = await this.current();
    if (!l || (holder && l.deployId !== holder.deployId)) return;
    await this.api.removeConfig(l.configId);
  }

  async append(e: HistoryEntry): Promise<RecordReceipt> {
    const name = stateConfigName('history', this.app, this.env, `${e.deployId}.${e.kind}`);
    // A config is immutable and its name unique: a second append of the same entry finds it there.
    await this.api.createConfig(name, { ...this.labels, [LABEL.role]: 'history', [LABEL.deployId]: e.deployId }, JSON.stringify(e));
    return { where: this.where, id: name };
  }

  /** Newest first. */
  async read(limit = 50): Promise<HistoryEntry[]> {
    const cs = await this.api.configs([`${LABEL.app}=${this.app}`, `${LABEL.env}=${this.env}`, `${LABEL.role}=history`]);
    return cs
      .map((c) => JSON.parse(Buffer.from(c.Spec.Data ?? '', 'base64').toString('utf8')) as HistoryEntry)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
      .slice(0, limit);
  }

  /** Removes history entries beyond the newest `keep`: their ids. */
  async trim(keep: number): Promise<string[]> {
    const cs = await this.api.configs([`${LABEL.app}=${this.app}`, `${LABEL.env}=${this.env}`, `${LABEL.role}=history`]);
    const old = cs
      .map((c) => ({ id: c.ID, name: c.Spec.Name, e: JSON.parse(Buffer.from(c.Spec.Data ?? '', 'base64').toString('utf8')) as HistoryEntry }))
      .sort((a, b) => b.e.startedAt.localeCompare(a.e.startedAt))
      .slice(keep);
    for (const o of old) await this.api.removeConfig(o.id);
    return old.map((o) => o.name);
  }
}
