import { mask, type Logger } from '@pipeline/core';

export type UiMode = 'tty' | 'plain' | 'json' | 'quiet';

/** TTY when interactive and not CI; JSON keeps stdout for the result and logs to stderr. */
export function detectMode(flags: { json?: boolean; quiet?: boolean }, env: NodeJS.ProcessEnv = process.env, stream: { isTTY?: boolean } = process.stderr): UiMode {
  if (flags.json) return 'json';
  if (flags.quiet) return 'quiet';
  return stream.isTTY && !env.CI ? 'tty' : 'plain';
}

const ghActions = () => process.env.GITHUB_ACTIONS === 'true';

/** The CLI's logger: progress bars redrawn in place on a TTY, one plain line per step in CI. */
export function createLogger(mode: UiMode, verbose = false, out: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr): Logger {
  const write = (s: string) => out.write(mask(s) + '\n');
  let barShown = false;
  const clearBar = () => {
    if (barShown) out.write('\r\x1b[K');
    barShown = false;
  };
  const lastPct = new Map<string, number>();
  return {
    debug: (m) => {
      if (verbose && mode !== 'quiet') (clearBar(), write(`  ${m}`));
    },
    info: (m) => {
      if (mode !== 'quiet') (clearBar(), write(mode === 'json' ? m : `• ${m}`));
    },
    warn: (m) => {
      clearBar();
      write(ghActions() ? `::warning::${m}` : `warning: ${m}`);
    },
    progress: (id, label, done, total) => {
      if (mode !== 'tty') return;
      const pct = total ? Math.min(100, Math.floor((done / total) * 100)) : -1;
      if (lastPct.get(id) === pct && pct >= 0) return;
      lastPct.set(id, pct);
      const width = 24;
      const bar = pct >= 0 ? `[${'#'.repeat(Math.round((pct / 100) * width)).padEnd(width, '.')}] ${String(pct).padStart(3)}%` : `${(done / 1048576).toFixed(1)} MiB`;
      out.write(`\r\x1b[K${mask(label).slice(0, 50)} ${bar}`);
      barShown = true;
    },
    group: async (title, fn) => {
      if (mode === 'quiet' || mode === 'json') return fn();
      clearBar();
      if (ghActions()) write(`::group::${title}`);
      try {
        return await fn();
      } finally {
        if (ghActions()) write('::endgroup::');
      }
    },
  };
}
