// Starting a helper process (a forwarder, a daemon, a proxy) for a test, and knowing it came up: a
// missing binary, an early exit and a deadline each fail with one line that names what went wrong.
import { connect } from 'node:net';
import { execa, type Options, type ResultPromise } from 'execa';

export interface DaemonSpec {
  /** What it is for, in the error: `registry forwarder into ns1`. */
  name: string;
  cmd: string;
  args: string[];
  /** Debian package that provides cmd (test/services/packages installs it). */
  pkg: string;
  /** True once the process serves (a port listens, a socket answers). */
  ready: () => Promise<boolean>;
  deadlineMs?: number;
  options?: Options;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Spawns the daemon and resolves once `ready()` holds; throws (and kills it) otherwise. The child is
 * wrapped: a ResultPromise returned bare would be awaited to the process's end.
 */
export async function startDaemon(spec: DaemonSpec): Promise<{ child: ResultPromise }> {
  const child = execa(spec.cmd, spec.args, { reject: false, ...spec.options }) as ResultPromise;
  let ended: { code?: number; error?: string; stderr?: string } | undefined;
  void child.then((r) => {
    const failed = r as { exitCode?: number; code?: string; stderr?: unknown; originalMessage?: string };
    ended = { code: failed.exitCode, error: failed.code, stderr: typeof failed.stderr === 'string' ? failed.stderr : '' };
  });
  const deadline = Date.now() + (spec.deadlineMs ?? 15_000);
  while (Date.now() < deadline) {
    if (ended) {
      if (ended.error === 'ENOENT') throw new Error(`${spec.name}: ${spec.cmd} is not installed (Debian package ${spec.pkg}; test/services/packages installs it)`);
      const last = (ended.stderr ?? '').trim().split('\n').pop() || 'no output';
      const needs = ended.code === 127 ? ` (is Debian package ${spec.pkg} installed? test/services/packages installs it)` : '';
      throw new Error(`${spec.name}: ${spec.cmd} exited with code ${ended.code ?? '?'}: ${last}${needs}`);
    }
    if (await spec.ready().catch(() => false)) return { child };
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`${spec.name}: ${spec.cmd} did not come up within ${(spec.deadlineMs ?? 15_000) / 1000} s`);
}

/** True when something accepts TCP connections on host:port (from this network namespace). */
export function tcpListening(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** True when a TCP port listens inside a network namespace (`ss` from iproute2, run in it). */
export async function nsListening(ns: string, port: number): Promise<boolean> {
  const r = await execa('ip', ['netns', 'exec', ns, 'ss', '-Hltn', `sport = :${port}`], { reject: false });
  return r.exitCode === 0 && r.stdout.trim() !== '';
}
