// A Docker engine that only speaks TLS with client certificates (dockerd --tlsverify), in a network namespace of
// its own joined to the root namespace by one veth pair on 10.232.0.0/30 (our own addresses). Certificates come
// from openssl in a temp dir: a CA, the server's (IP SAN), a client's, and a second CA that signed nothing here.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { releaseExecRoot } from '../../../../test/lib/netns.js';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';

export interface TlsCerts { dir: string; ca: string; cert: string; key: string; otherCa: string }
export interface TlsEngine { url: string; address: string; socket: string; certs: TlsCerts; stop(): Promise<void> }

const ROOT = '/var/lib/pipeline-test/netns';
const GW = '10.232.0.1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function openssl(dir: string, ...args: string[]): Promise<void> {
  await execa('openssl', args, { cwd: dir });
}

export async function makeCerts(dir: string, ip: string): Promise<TlsCerts> {
  mkdirSync(dir, { recursive: true });
  const ca = async (name: string) => {
    await openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=pipeline test ${name}`);
  };
  await ca('ca');
  await ca('other-ca');
  const leaf = async (name: string, cn: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    await openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    await openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}-cert.pem`, '-days', '2', '-extfile', `${name}.ext`);
  };
  await leaf('server', ip, `subjectAltName=IP:${ip}\nextendedKeyUsage=serverAuth\n`);
  await leaf('client', 'pipeline-client', 'extendedKeyUsage=clientAuth\n');
  return { dir, ca: join(dir, 'ca.pem'), cert: join(dir, 'client-cert.pem'), key: join(dir, 'client-key.pem'), otherCa: join(dir, 'other-ca.pem') };
}

async function sweep(ns: string, veth: string): Promise<void> {
  const dir = join(ROOT, ns);
  const pidf = join(dir, 'dockerd.pid');
  if (existsSync(pidf)) try { process.kill(Number(readFileSync(pidf, 'utf8')), 'SIGKILL'); } catch { /* gone */ }
  const pids = (await execa('ip', ['netns', 'pids', ns], { reject: false })).stdout.split('\n').filter(Boolean);
  for (const pid of pids) try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
  await execa('ip', ['netns', 'del', ns], { reject: false });
  await execa('ip', ['link', 'del', veth], { reject: false });
  await execa('umount', ['-R', join(dir, 'data')], { reject: false });
  await releaseExecRoot(ns);
  rmSync(dir, { recursive: true, force: true });
}

/** Starts the engine; `stop()` removes its containers, processes, namespace, files and certificates. */
export async function startTlsEngine(ns: string, certDir: string): Promise<TlsEngine> {
  const address = '10.232.0.2';
  const veth = `${ns}h`.slice(0, 15);
  await sweep(ns, veth);
  const procs: ResultPromise[] = [];
  const dir = join(ROOT, ns);
  const exec = `/run/${ns}`;
  mkdirSync(dir, { recursive: true });
  mkdirSync(exec, { recursive: true });
  const certs = await makeCerts(certDir, address);
  await execa('ip', ['netns', 'add', ns]);
  await execa('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
  await execa('ip', ['addr', 'add', `${GW}/30`, 'dev', veth]);
  await execa('ip', ['link', 'set', veth, 'up']);
  await execa('ip', ['-n', ns, 'addr', 'add', `${address}/30`, 'dev', 'eth0']);
  await execa('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
  await execa('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  const nsenter = [`--net=/var/run/netns/${ns}`];
  // The loopback registry, at 127.0.0.1:5000 inside the namespace too (pulls by digest unchanged).
  procs.push(execa('socat', [`TCP-LISTEN:5000,bind=${GW},fork,reuseaddr`, 'TCP:127.0.0.1:5000'], { reject: false }));
  procs.push(execa('nsenter', [...nsenter, 'socat', 'TCP-LISTEN:5000,bind=127.0.0.1,fork,reuseaddr', `TCP:${GW}:5000`], { reject: false }));
  const socket = `${exec}/docker.sock`;
  procs.push(execa('nsenter', [...nsenter, 'dockerd', '--data-root', join(dir, 'data'), '--exec-root', exec, '--pidfile', join(dir, 'dockerd.pid'),
    '-H', `unix://${socket}`, '-H', `tcp://${address}:2376`, '--tlsverify', '--tlscacert', certs.ca,
    '--tlscert', join(certDir, 'server-cert.pem'), '--tlskey', join(certDir, 'server-key.pem'),
    '--storage-driver=vfs', '--iptables=false', '--bridge=none'],
  { reject: false, stdout: { file: join(dir, 'dockerd.log') }, stderr: { file: join(dir, 'dockerd.err') } }));
  let ok = false;
  for (let k = 0; k < 120 && !ok; k++) {
    ok = (await execa('docker', ['-H', `unix://${socket}`, 'version', '--format', '{{.Server.Version}}'], { reject: false })).exitCode === 0;
    if (!ok) await sleep(500);
  }
  if (!ok) throw new Error(`dockerd in ${ns} did not start (see ${dir}/dockerd.err)`);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const ids = (await execa('docker', ['-H', `unix://${socket}`, 'ps', '-aq'], { reject: false })).stdout.split('\n').filter(Boolean);
    if (ids.length) await execa('docker', ['-H', `unix://${socket}`, 'rm', '-f', ...ids], { reject: false });
    for (const p of procs.reverse()) {
      p.kill('SIGTERM');
      await Promise.race([p, sleep(15_000)]);
      p.kill('SIGKILL');
    }
    await sweep(ns, veth);
    // dockerd bind-mounts its namespace file under the exec root
    await execa('umount', [join(exec, 'netns/default')], { reject: false });
    try { rmSync(exec, { recursive: true, force: true }); } catch { /* still mounted: left for the next sweep */ }
    rmSync(certDir, { recursive: true, force: true });
  };
  process.once('exit', () => { for (const p of procs) p.kill('SIGKILL'); });
  return { url: `tcp://${address}:2376`, address, socket, certs, stop };
}
