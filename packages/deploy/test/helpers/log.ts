import { silentLogger, type Logger } from '@pipeline/core';

/** Timestamped lines when DEPLOY_DEBUG is set (to see where a rollout spends its time), silent otherwise. */
export function testLogger(): Logger {
  if (!process.env.DEPLOY_DEBUG) return silentLogger;
  const t0 = Date.now();
  const line = (l: string) => (m: string) => console.log(`  [${((Date.now() - t0) / 1000).toFixed(2)}] ${l}${m}`);
  return { debug: line('debug '), info: line(''), warn: line('warn '), progress() {}, group: (t, fn) => (line('')(t), fn()) };
}
