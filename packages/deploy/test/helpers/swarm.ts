// What Swarm tests share: the objects a stack leaves (services, secrets, configs, networks), read and removed
// through the docker CLI on the shared engine (only those labelled with the test's own stack and app).
import { execa } from 'execa';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function docker(args: string[], dockerHost?: string): Promise<string> {
  return (await execa('docker', args, { env: dockerHost ? { DOCKER_HOST: dockerHost } : {} })).stdout.trim();
}

const ids = async (kind: 'service' | 'secret' | 'config' | 'network', label: string, host?: string) =>
  (await execa('docker', [kind, 'ls', '-q', '--filter', `label=${label}`], { reject: false, env: host ? { DOCKER_HOST: host } : {} })).stdout.split('\n').filter(Boolean);

/** Services of the stack, then (once their tasks are gone) its secrets, pipeline's configs for the app, its networks. */
export async function cleanSwarm(stack: string, app: string, host?: string): Promise<void> {
  const env = host ? { DOCKER_HOST: host } : {};
  const services = await ids('service', `com.docker.stack.namespace=${stack}`, host);
  if (services.length) await execa('docker', ['service', 'rm', ...services], { reject: false, env });
  for (let i = 0; i < 100; i++) {
    const left = (await execa('docker', ['ps', '-aq', '--filter', `label=com.docker.stack.namespace=${stack}`], { reject: false, env })).stdout.trim();
    if (!left) break;
    await sleep(300);
  }
  for (const kind of ['secret', 'config'] as const) {
    const xs = await ids(kind, `dev.pipeline.app=${app}`, host);
    if (xs.length) await execa('docker', [kind, 'rm', ...xs], { reject: false, env });
  }
  const nets = await ids('network', `com.docker.stack.namespace=${stack}`, host);
  for (let i = 0; i < 20 && nets.length; i++) {
    const r = await execa('docker', ['network', 'rm', ...nets], { reject: false, env });
    if (r.exitCode === 0) break;
    await sleep(500); // a network is in use until the last task's endpoint is gone
  }
}

/** The image digest of each serving task of a service, sorted. */
export async function servingDigests(service: string, host?: string): Promise<string[]> {
  const out = await docker(['service', 'ps', service, '--filter', 'desired-state=running', '--format', '{{.Image}} {{.CurrentState}}'], host);
  return out.split('\n').filter((l) => / Running /.test(l)).map((l) => l.split(' ')[0].split('@')[1]).sort();
}

export async function inspectService(service: string, host?: string): Promise<{ Spec: { TaskTemplate: { ContainerSpec: { Image: string; Env?: string[]; Secrets?: { SecretName: string }[]; Labels?: Record<string, string> } }; Labels: Record<string, string>; UpdateConfig?: Record<string, unknown>; RollbackConfig?: Record<string, unknown>; Mode: { Replicated: { Replicas: number } } }; UpdateStatus?: { State?: string }; PreviousSpec?: unknown }> {
  return JSON.parse(await docker(['service', 'inspect', service], host))[0];
}
