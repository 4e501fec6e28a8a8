import type { HistoryEntry, LockInfo, RecordReceipt, StateStore } from '../../model/store.js';
import type { DockerEngines } from './engines.js';

const HISTORY = '/pipeline/history.jsonl';
const LOCK_LABEL = 'dev.pipeline.lock';

/**
 * Lock and history in never-started holder containers on every host: the lock is a container name
 * (creating it is atomic per engine), taken on the hosts in sorted order so two deploys cannot deadlock;
 * the history is a JSON-lines file in a state holder, written on every host so any one tells the story.
 */
export class HolderStore implements StateStore {
  readonly where = 'the hosts';

  constructor(private readonly engines: DockerEngines) {}

  async lock(info: Omit<LockInfo, 'host'>): Promise<LockInfo | undefined> {
    const taken: string[] = [];
    for (const host of [...this.engines.hosts].sort()) {
      const ok = await this.engines.createHolder(host, 'lock', { [LOCK_LABEL]: JSON.stringify({ ...info, host }) });
      if (ok) {
        taken.push(host);
        continue;
      }
      const holder = (await this.readLock(host)) ?? { owner: 'unknown', message: 'lock vanished while reading', time: new Date().toISOString(), deployId: '?', host };
      await this.unlock({ deployId: info.deployId });
      return holder;
    }
    return undefined;
  }

  private async readLock(host: string): Promise<LockInfo | undefined> {
    const labels = await this.engines.holderLabels(host, 'lock');
    return labels ? { ...(JSON.parse(labels[LOCK_LABEL] ?? '{}') as LockInfo), host } : undefined;
  }

  async locks(): Promise<Record<string, LockInfo | undefined>> {
    const out: Record<string, LockInfo | undefined> = {};
    for (const h of this.engines.hosts) out[h] = await this.readLock(h);
    return out;
  }

  async unlock(holder?: { deployId: string; host?: string }): Promise<void> {
    const hosts = holder?.host ? [holder.host] : [...this.engines.hosts];
    await Promise.all(hosts.map(async (h) => {
      if (holder) {
        const l = await this.readLock(h);
        if (l?.deployId !== holder.deployId) return;
      }
      await this.engines.removeHolder(h, 'lock');
    }));
  }

  /** Records on every host; a host that fails to record never hides the deploy's result. */
  async append(e: HistoryEntry): Promise<RecordReceipt | undefined> {
    await Promise.allSettled(this.engines.hosts.map(async (h) => {
      const all = (await this.readHost(h)).filter((x) => x.deployId !== e.deployId || x.kind !== e.kind);
      all.push(e);
      await this.engines.writeHolderFile(h, HISTORY, Buffer.from(all.map((x) => JSON.stringify(x)).join('\n') + '\n'));
    }));
    return { where: this.where };
  }

  /** One host's own copy of the trail, oldest first. */
  async readHost(host: string): Promise<HistoryEntry[]> {
    return (await this.engines.readHolderFile(host, HISTORY)).split('\n').filter(Boolean).map((l) => JSON.parse(l) as HistoryEntry);
  }

  /** The audit trail merged from all hosts, newest first. */
  async read(limit = 50): Promise<HistoryEntry[]> {
    const all = new Map<string, HistoryEntry>();
    for (const h of this.engines.hosts) {
      for (const e of await this.readHost(h).catch(() => [] as HistoryEntry[])) all.set(`${e.deployId}/${e.kind}`, e);
    }
    return [...all.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, limit);
  }
}
