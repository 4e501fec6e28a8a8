import { execa } from 'execa';
import type { CheckResult, VerifyTarget } from './types.js';

/** One run of the verify command; the version it should see is in PIPELINE_* variables. */
export async function commandCheck(cmd: string[], want: VerifyTarget, timeoutMs: number, signal?: AbortSignal): Promise<CheckResult> {
  const r = await execa(cmd[0], cmd.slice(1), {
    reject: false,
    all: true,
    stdin: 'ignore',
    timeout: timeoutMs,
    cancelSignal: signal,
    env: {
      PIPELINE_ENVIRONMENT: want.environment,
      PIPELINE_IMAGE: want.image,
      PIPELINE_DIGEST: want.digest,
      PIPELINE_SHA: want.sha ?? '',
      PIPELINE_TAG: want.tag ?? '',
      PIPELINE_GITOPS_COMMIT: want.commit,
    },
  });
  const out = (r.all ?? '').trim().split('\n').slice(-5).join(' | ').slice(-500);
  const how = r.timedOut ? `still running after ${timeoutMs} ms` : r.failed && r.exitCode === undefined ? (r.cause as Error | undefined)?.message ?? r.shortMessage : `exit ${r.exitCode}`;
  return { ok: !r.failed && r.exitCode === 0, detail: `${cmd.join(' ')}: ${how}${out ? `: ${out}` : ''}` };
}
