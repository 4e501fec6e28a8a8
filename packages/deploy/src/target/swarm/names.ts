import { createHash } from 'node:crypto';

const hex = (s: string, n: number) => createHash('sha256').update(s).digest('hex').slice(0, n);
/** Swarm's limit for config and secret names. */
const MAX_OBJECT_NAME = 64;

/** `<stack>_<service>`, as `docker stack deploy` names them (so `docker stack ps STACK` shows them). */
export const serviceName = (stack: string, service: string): string => `${stack}_${service}`;

/**
 * A content-addressed Swarm secret name: a changed value is a new secret, the same value the same one.
 * The hash covers key and value (never the value alone, never the value in clear); whoever can read it
 * could already read the secret through the manager.
 */
export function secretName(stack: string, key: string, value: string): string {
  const suffix = `_${hex(`${stack}\0${key}\0${value}`, 16)}`;
  return `${stack}_${key}`.slice(0, MAX_OBJECT_NAME - suffix.length) + suffix;
}

/** A Swarm config holding pipeline's own state (`lock`, `history`) for one app and environment. */
export function stateConfigName(role: 'lock' | 'history', app: string, env: string, suffix?: string): string {
  const tail = suffix ? `.${suffix}` : '';
  const full = `pipeline-${role}.${app}.${env}${tail}`;
  return full.length <= MAX_OBJECT_NAME ? full : `pipeline-${role}.${hex(`${app}\0${env}`, 12)}${tail}`.slice(0, MAX_OBJECT_NAME);
}
