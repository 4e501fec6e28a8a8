import type Docker from 'dockerode';
import { LABEL } from '../../labels.js';
import { tarOf } from './tar.js';

/** A tiny image made on the host from nothing (no registry needed): the body of lock and state containers. */
export const HOLDER_IMAGE = 'pipeline-holder:1';

export async function ensureHolderImage(docker: Docker): Promise<void> {
  try {
    await docker.getImage(HOLDER_IMAGE).inspect();
    return;
  } catch {
    // missing: import it below
  }
  const tar = tarOf([{ name: 'pipeline/' }, { name: 'pipeline/README', data: Buffer.from('deploy lock and audit trail holder; never started\n') }]);
  const stream = await docker.importImage(tar as never, { repo: 'pipeline-holder', tag: '1' } as never);
  await new Promise<void>((res, rej) => docker.modem.followProgress(stream as unknown as NodeJS.ReadableStream, (err: Error | null) => (err ? rej(err) : res())));
}

/** Creates a never-started holder container; resolves false when the name is taken (the atomic part of the lock). */
export async function createHolder(docker: Docker, name: string, labels: Record<string, string>): Promise<boolean> {
  await ensureHolderImage(docker);
  try {
    await docker.createContainer({ name, Image: HOLDER_IMAGE, Cmd: ['/pipeline/never-started'], Labels: labels, HostConfig: { NetworkMode: 'none' } });
    return true;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 409) return false;
    throw e;
  }
}

export function holderName(role: 'lock' | 'state', app: string, env: string): string {
  return `pipeline-${role}.${app}.${env}`;
}

export const roleLabels = (role: string, app: string, env: string) => ({ [LABEL.app]: app, [LABEL.env]: env, [LABEL.role]: role });
