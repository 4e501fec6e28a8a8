// Real "remote" Docker hosts on one machine: each a dockerd inside a network namespace this creates,
// joined to the root namespace by a bridge on 10.231.0.0/24 (our own addresses, nothing is routed
// elsewhere). The loopback registry is forwarded into each namespace at 127.0.0.1:5000 so pulls by
// digest work unchanged. One namespace can also run Debian's sshd for ssh:// hosts. All removed by stop().
import { mkdirSync, rmSync, writeFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { nsListening, startDaemon, tcpListening } from './daemon.js';

export const SUBNET_GW = '10.231.0.1';
const BRIDGE = 'plbr0';
const ROOT = '/var/lib/pipeline-test/netns';

export interface NetnsHost {
  ns: string;
  address: string;
  /** tcp://ADDR:2375 (plain, inside our own namespace network). */
  tcp: string;
  /** unix socket path of this engine (for the docker CLI in tests). */
  socket: string;
  /** ssh://root@ADDR when started with ssh. */
  ssh?: string;
}

export interface NetnsLab {
  hosts: NetnsHost[];
  /** The ssh identity file for ssh:// hosts. */
  identity: string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ip = (...a: string[]) => execa('ip', a);

/** Removes a namespace lab left by a crashed run (same names). */
/**
 * dockerd bind-mounts its namespace under its exec-root (/run/NAME/netns/default): left mounted,
 * the namespace (and its address, which every lab reuses) outlives the lab.
 */
export async function releaseExecRoot(ns: string): Promise<void> {
  const execNetns = join('/run', ns, 'netns');
  if (existsSync(execNetns)) for (const f of readdirSync(execNetns)) await execa('umount', ['-l', join(execNetns, f)], { reject: false });
  rmSync(join('/run', ns), { recursive: true, force: true });
}

async function sweep(names: string[]): Promise<void> {
  for (const ns of names) {
    const dir = join(ROOT, ns);
    for (const pidf of ['dockerd.pid', 'sshd.pid']) {
      const p = join(dir, pidf);
      if (existsSync(p)) {
        const pid = Number(readFileSync(p, 'utf8'));
        try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      }
    }
    await execa('ip', ['netns', 'pids', ns], { reject: false }).then(async (r) => {
      for (const pid of r.stdout.split('\n').filter(Boolean)) try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
    });
    await execa('ip', ['netns', 'del', ns], { reject: false });
    await execa('umount', ['-R', join(dir, 'data')], { reject: false });
    await releaseExecRoot(ns);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Starts `count` namespaced engines (the first `ssh` of them also with sshd), at 10.231.0.<first>… (default 11).
 * Labs of different tests share the bridge and may run at once (other worktrees): give each its own `first`.
 */
export async function startLab(prefix: string, count: number, o: { ssh?: number; first?: number } = {}): Promise<NetnsLab> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
  await sweep(names);
  const procs: ResultPromise[] = [];
  if ((await execa('ip', ['link', 'show', BRIDGE], { reject: false })).exitCode !== 0) {
    await ip('link', 'add', BRIDGE, 'type', 'bridge');
    await ip('addr', 'add', `${SUBNET_GW}/24`, 'dev', BRIDGE);
    await ip('link', 'set', BRIDGE, 'up');
  }
  // The registry, reachable at the gateway address from inside the namespaces.
  // Another lab's forwarder (the bridge is shared) serves this one too.
  if (!(await tcpListening(SUBNET_GW, 5000))) procs.push((await startDaemon({
    name: `registry forwarder on ${SUBNET_GW}:5000`, cmd: 'socat', pkg: 'socat',
    args: [`TCP-LISTEN:5000,bind=${SUBNET_GW},fork,reuseaddr`, 'TCP:127.0.0.1:5000'],
    ready: () => tcpListening(SUBNET_GW, 5000),
  })).child);
  mkdirSync(ROOT, { recursive: true });
  const keyDir = join(ROOT, `${prefix}keys`);
  rmSync(keyDir, { recursive: true, force: true });
  mkdirSync(keyDir, { recursive: true });
  const identity = join(keyDir, 'id_ed25519');
  if (o.ssh) {
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identity]);
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keyDir, 'host_key')]);
    writeFileSync(join(keyDir, 'authorized_keys'), readFileSync(`${identity}.pub`));
    mkdirSync('/run/sshd', { recursive: true });
  }
  const hosts: NetnsHost[] = [];
  for (const [i, ns] of names.entries()) {
    const address = `10.231.0.${(o.first ?? 11) + i}`;
    const dir = join(ROOT, ns);
    mkdirSync(dir, { recursive: true });
    const exec = `/run/${ns}`;
    mkdirSync(exec, { recursive: true });
    const vh = `${ns}h`.slice(0, 15);
    await ip('netns', 'add', ns);
    await execa('ip', ['link', 'del', vh], { reject: false });
    await ip('link', 'add', vh, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    await ip('link', 'set', vh, 'master', BRIDGE);
    await ip('link', 'set', vh, 'up');
    await ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    await ip('-n', ns, 'link', 'set', 'eth0', 'up');
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
    const nsenter = ['--net=/var/run/netns/' + ns];
    procs.push((await startDaemon({
      name: `registry forwarder into ${ns}`, cmd: 'nsenter', pkg: 'socat',
      args: [...nsenter, 'socat', 'TCP-LISTEN:5000,bind=127.0.0.1,fork,reuseaddr', `TCP:${SUBNET_GW}:5000`],
      ready: () => nsListening(ns, 5000),
    })).child);
    const socket = `${exec}/docker.sock`;
    procs.push(execa('nsenter', [...nsenter, 'dockerd', '--data-root', join(dir, 'data'), '--exec-root', exec, '--pidfile', join(dir, 'dockerd.pid'),
      '-H', `unix://${socket}`, '-H', `tcp://${address}:2375`, '--tls=false', '--storage-driver=vfs', '--iptables=false', '--bridge=none'],
    { reject: false, stdout: { file: join(dir, 'dockerd.log') }, stderr: { file: join(dir, 'dockerd.err') } }));
    const host: NetnsHost = { ns, address, tcp: `tcp://${address}:2375`, socket };
    if (o.ssh && i < o.ssh) {
      const cfg = join(dir, 'sshd_config');
      writeFileSync(cfg, [
        `ListenAddress ${address}`, `HostKey ${join(keyDir, 'host_key')}`, `AuthorizedKeysFile ${join(keyDir, 'authorized_keys')}`,
        'PermitRootLogin prohibit-password', 'PasswordAuthentication no', 'UsePAM no', 'StrictModes no', `PidFile ${join(dir, 'sshd.pid')}`,
        // The shared filesystem has the docker CLI; point it at this namespace's engine.
        `SetEnv DOCKER_HOST=unix://${socket}`,
      ].join('\n') + '\n');
      // A remote host has its own home: sshd runs in a mount namespace whose /root is the lab's, so the login
      // shell never reads this machine's dotfiles (a .bashrc that runs `pyenv init` hangs every ssh command here).
      const home = join(dir, 'root-home');
      mkdirSync(home, { recursive: true, mode: 0o700 });
      procs.push(execa('nsenter', [...nsenter, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c',
        'mount --bind "$1" /root && shift && exec "$@"', 'sh', home, '/usr/sbin/sshd', '-D', '-f', cfg, '-E', join(dir, 'sshd.log')],
      { reject: false }));
      host.ssh = `ssh://root@${address}`;
    }
    hosts.push(host);
  }
  for (const h of hosts) {
    let ok = false;
    for (let k = 0; k < 120 && !ok; k++) {
      ok = (await execa('docker', ['-H', h.tcp, 'version', '--format', '{{.Server.Version}}'], { reject: false })).exitCode === 0;
      if (!ok) await sleep(500);
    }
    if (!ok) throw new Error(`dockerd in ${h.ns} did not answer on ${h.tcp} (see ${ROOT}/${h.ns}/dockerd.err)`);
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const h of hosts) {
      const ids = (await execa('docker', ['-H', h.tcp, 'ps', '-aq'], { reject: false })).stdout.split('\n').filter(Boolean);
      if (ids.length) await execa('docker', ['-H', h.tcp, 'rm', '-f', ...ids], { reject: false });
    }
    for (const p of procs.reverse()) {
      p.kill('SIGTERM');
      await Promise.race([p, sleep(15_000)]);
      p.kill('SIGKILL');
    }
    await sweep(names);
    rmSync(keyDir, { recursive: true, force: true });
    // veths vanish with their namespace a moment later; the bridge goes when no other lab uses it
    for (let k = 0; k < 20; k++) {
      const left = (await execa('ip', ['-o', 'link', 'show', 'master', BRIDGE], { reject: false })).stdout.trim();
      if (!left) {
        await execa('ip', ['link', 'del', BRIDGE], { reject: false });
        break;
      }
      await sleep(250);
    }
  };
  process.once('exit', () => {
    // last resort after a crash: kill what we spawned; the next run's sweep removes the rest
    for (const p of procs) p.kill('SIGKILL');
  });
  return { hosts, identity, stop };
}
