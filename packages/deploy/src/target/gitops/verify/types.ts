export type { VerifyConfig } from '../../../config/gitops-types.js';

/** The version a check looks for, and the commit that asked for it. */
export interface VerifyTarget {
  environment: string;
  image: string;
  digest: string;
  sha?: string;
  tag?: string;
  commit: string;
}

export interface CheckResult { ok: boolean; detail: string }

export interface VerifyVerdict {
  ok: boolean;
  /** The last check's account: what was served, or how the command ended. */
  reason: string;
  attempts: number;
  ms: number;
}
