import { shortDigest, type Digest } from '@pipeline/core';
import { formatImage, type ImageVersion } from '../image.js';

export type GitopsCommitKind = 'deploy' | 'rollback' | 'revert';

/** What a deploy commit says about itself, in prose for people and in trailers for `history`. */
export interface DeployCommitInfo {
  kind: GitopsCommitKind;
  deployId: string;
  environment: string;
  actor: string;
  from?: ImageVersion & { sha?: string };
  /** A revert to a version that was never pinned by digest has none. */
  to: ImageVersion & { sha?: string };
  /** The CI run that made it, when known. */
  ciRun?: string;
  /** Why, in the deployer's words (--message). */
  message?: string;
  /** A revert: the commit it takes back and why. */
  reverts?: string;
  reason?: string;
  /** `file (fields)` lines. */
  files: string[];
}

const T = {
  id: 'Pipeline-Deploy-Id',
  kind: 'Pipeline-Kind',
  env: 'Pipeline-Environment',
  actor: 'Pipeline-Actor',
  image: 'Pipeline-Image',
  fromDigest: 'Pipeline-From-Digest',
  fromSha: 'Pipeline-From-Sha',
  toDigest: 'Pipeline-To-Digest',
  toSha: 'Pipeline-To-Sha',
  toTag: 'Pipeline-To-Tag',
  ci: 'Pipeline-CI-Run',
  reverts: 'Pipeline-Reverts',
  reason: 'Pipeline-Reason',
  message: 'Pipeline-Message',
} as const;

/** A trailer value is one line. */
const line = (s: string) => s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
const short = (v: { digest?: Digest; sha?: string; tag?: string }) => (v.digest ? shortDigest(v.digest) : v.tag ?? '?') + (v.sha ? ` (${v.sha.slice(0, 12)})` : '');

/** Subject, body and trailers (git interpret-trailers format: the last paragraph, `Key: value`). */
export function formatDeployMessage(i: DeployCommitInfo): string {
  const verb = { deploy: 'deploy', rollback: 'rollback', revert: 'revert' }[i.kind];
  const subject = `${verb} ${i.environment}: ${i.from ? `${short(i.from)} → ` : ''}${short(i.to)}`;
  const body = [
    i.kind === 'revert' ? `Reverts ${i.reverts ?? 'the previous deploy'}: ${line(i.reason ?? 'verification failed')}.` : `${i.kind === 'rollback' ? 'Rolls back' : 'Deploys'} ${formatImage(i.to)} to ${i.environment}.`,
    '',
    `from: ${i.from ? formatImage(i.from) : '(nothing pinned by digest)'}`,
    `to:   ${formatImage(i.to)}`,
    `by:   ${i.actor}`,
    ...(i.ciRun ? [`run:  ${i.ciRun}`] : []),
    ...(i.message ? [`why:  ${line(i.message)}`] : []),
    ...(i.files.length ? ['', 'files:', ...i.files.map((f) => `  ${f}`)] : []),
  ];
  const trailers: [string, string | undefined][] = [
    [T.id, i.deployId],
    [T.kind, i.kind],
    [T.env, i.environment],
    [T.actor, i.actor],
    [T.image, i.to.name],
    [T.fromDigest, i.from?.digest],
    [T.fromSha, i.from?.sha],
    [T.toDigest, i.to.digest],
    [T.toSha, i.to.sha],
    [T.toTag, i.to.tag],
    [T.ci, i.ciRun],
    [T.reverts, i.reverts],
    [T.reason, i.reason],
    [T.message, i.message],
  ];
  return [subject, '', ...body, '', ...trailers.filter(([, v]) => v).map(([k, v]) => `${k}: ${line(v!)}`)].join('\n') + '\n';
}

/** The trailers of a commit (`git log --format=%(trailers:only,unfold)`) back into the commit's facts. */
export function parseDeployTrailers(text: string): Omit<DeployCommitInfo, 'files'> | undefined {
  const t = new Map<string, string>();
  for (const l of text.split('\n')) {
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(l.trim());
    if (m) t.set(m[1].toLowerCase(), m[2]);
  }
  const get = (k: string) => t.get(k.toLowerCase()) || undefined;
  const kind = get(T.kind) as GitopsCommitKind | undefined;
  const env = get(T.env);
  const toDigest = get(T.toDigest) as Digest | undefined;
  const name = get(T.image);
  if (!kind || !env || !name || !['deploy', 'rollback', 'revert'].includes(kind)) return undefined;
  const fromDigest = get(T.fromDigest) as Digest | undefined;
  return {
    kind,
    deployId: get(T.id) ?? '',
    environment: env,
    actor: get(T.actor) ?? 'unknown',
    from: fromDigest ? { name, digest: fromDigest, sha: get(T.fromSha) } : undefined,
    to: { name, ...(toDigest ? { digest: toDigest } : {}), sha: get(T.toSha), tag: get(T.toTag) },
    ciRun: get(T.ci),
    reverts: get(T.reverts),
    reason: get(T.reason),
    message: get(T.message),
  };
}

/** `--grep` pattern for one environment's commits. */
export const environmentGrep = (env: string) => `^${T.env}: ${env.replace(/[.[\]*^$\\]/g, '\\$&')}$`;
