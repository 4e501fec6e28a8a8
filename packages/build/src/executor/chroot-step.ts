import { existsSync } from 'node:fs';
import type { Logger, SourcePosition } from '@pipeline/core';
import type { RunInstruction } from '../dockerfile/types.js';
import type { StepMounts } from './chroot-root.js';
import type { RunUser } from './run-user.js';
import { StepOutput, runFailed, runInterrupted } from './run-output.js';

/** Docker's default capabilities for a container (moby oci/caps/defaults.go): no mount, no raw I/O, no modules. */
const DOCKER_CAPS = ['chown', 'dac_override', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid', 'setpcap', 'net_bind_service', 'net_raw', 'sys_chroot', 'mknod', 'audit_write', 'setfcap'];

// Fixed script run by `unshare --mount --pid --fork`: it is PID 1 of the step's namespace, so every
// process the step leaves behind dies with it, and its mounts vanish with the namespace. Paths,
// ids and argv arrive as positional parameters, never spliced in. The host's tools are found on a
// fixed PATH; the step's own PATH is restored just before the last exec, so its environment is
// exactly the RUN's. setpriv sets the group, supplementary groups and capability bounding set;
// unshare --root/--wd chroots, enters WORKDIR and drops to the user (no shell in the image needed).
const STEP = `set -e
root=$1 proc=$2 dev=$3 sys=$4 wd=$5 uid=$6 gid=$7 groups=$8 caps=$9
shift 9
nbind=$1
shift
run_path=\${PATH-} run_path_set=\${PATH+x}
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
while [ "$nbind" -gt 0 ]; do mount --bind "$1" "$2"; shift 2; nbind=$((nbind - 1)); done
mount -t proc -o nosuid,nodev,noexec proc "$proc"
mount -t tmpfs -o nosuid,mode=755 tmpfs "$dev"
for n in null zero full random urandom tty; do : >"$dev/$n"; mount --bind "/dev/$n" "$dev/$n"; done
mkdir "$dev/pts" "$dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$dev/pts" 2>/dev/null || :
mount -t tmpfs -o nosuid,nodev,noexec,mode=1777 shm "$dev/shm"
ln -s pts/ptmx "$dev/ptmx"; ln -s /proc/self/fd "$dev/fd"
ln -s /proc/self/fd/0 "$dev/stdin"; ln -s /proc/self/fd/1 "$dev/stdout"; ln -s /proc/self/fd/2 "$dev/stderr"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$sys" 2>/dev/null || :
setpriv=$(command -v setpriv) unshare=$(command -v unshare)
if [ -n "$groups" ]; then g="--groups=$groups"; else g=--clear-groups; fi
if [ -n "$run_path_set" ]; then PATH=$run_path; export PATH; else unset PATH; fi
exec "$setpriv" --regid="$gid" "$g" --bounding-set="$caps" -- "$unshare" --root="$root" --wd="$wd" --setuid="$uid" -- "$@"
`;

/** What a step runs on this machine (util-linux, mount, GNU findutils for the snapshot): Debian always has them, a slim CI image may not. */
export const HOST_TOOLS = ['unshare', 'setpriv', 'mount', 'find'] as const;
const TOOL_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The host tools the chroot executor cannot find on the fixed PATH its steps use. */
export function missingHostTools(dirs: readonly string[] = TOOL_DIRS): string[] {
  return HOST_TOOLS.filter((t) => !dirs.some((d) => existsSync(`${d}/${t}`)));
}

export interface StepSpec {
  root: string;
  mounts: StepMounts;
  workdir: string;
  user: RunUser;
  /** The step's whole environment (KEY=value). */
  env: string[];
  argv: string[];
  ins: RunInstruction;
  where: SourcePosition;
  logger: Logger;
  signal?: AbortSignal;
}

/** Runs one RUN step in the live root; output streamed to the logger; a failure is exit 1 naming the line. */
export async function runInRoot(s: StepSpec): Promise<void> {
  const { execa } = await import('execa');
  const caps = `-all,${DOCKER_CAPS.map((c) => `+${c}`).join(',')}`;
  const binds = s.mounts.binds.flat();
  const args = [s.root, s.mounts.proc, s.mounts.dev, s.mounts.sys, s.workdir, String(s.user.uid), String(s.user.gid), s.user.groups.join(','), caps, String(s.mounts.binds.length), ...binds, ...s.argv];
  const out = new StepOutput(s.logger);
  const child = execa('unshare', ['--mount', '--pid', '--fork', '--kill-child', '--propagation=private', '--', '/bin/sh', '-c', STEP, 'pipeline-run', ...args], {
    env: Object.fromEntries(s.env.map((kv) => (kv.includes('=') ? [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] : [kv, '']))),
    extendEnv: false,
    stdin: 'ignore',
    all: true,
    buffer: false,
    reject: false,
    cancelSignal: s.signal,
    forceKillAfterDelay: 2000,
  });
  child.all?.on('data', (c: Buffer) => out.write(c));
  const r = await child;
  out.end();
  if (s.signal?.aborted) throw runInterrupted(s.ins, s.where, s.signal);
  if (r.exitCode !== 0) throw runFailed(s.ins, s.where, r.exitCode ?? r.signal ?? 'unknown', out);
}
