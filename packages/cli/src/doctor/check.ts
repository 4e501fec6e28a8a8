/** One finding of `pipeline doctor`: what was checked, how it stands, and what to do about it. */
export interface Check {
  /** What kind of thing: git, config, dockerfile, registry, clock, engine, host, tls. */
  area: 'git' | 'config' | 'dockerfile' | 'registry' | 'clock' | 'engine' | 'host' | 'tls';
  /** The thing itself: a registry host, a deploy host URL, a file. */
  name: string;
  /** ok, warn (works but worth a look), fail (a first run would fail here), skip (not needed). */
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
  /** The one thing to do when it is not ok. */
  fix?: string;
  /** Where the credentials (or the setting) came from: a flag, env:VAR, config.json, a helper. */
  source?: string;
}

export const check = (area: Check['area'], name: string, status: Check['status'], detail: string, extra: Pick<Check, 'fix' | 'source'> = {}): Check => ({ area, name, status, detail, ...extra });

/** A failure's message in one line (a PipelineError's hint stays separate). */
export const why = (e: unknown): string => ((e as Error)?.message ?? String(e)).split('\n')[0];
