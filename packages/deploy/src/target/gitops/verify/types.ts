/** `verify:` of a gitops environment: what must show the new version before the deploy counts. */
export interface VerifyConfig {
  /** A URL whose response shows the deployed version (the image digest or the git SHA). */
  http?: {
    url: string;
    /** Look in this response header; else in the body. */
    header?: string;
    /** Which version string must appear. */
    match: 'digest' | 'sha';
  };
  /** A command that exits 0 once the rollout is done (`kubectl rollout status …`, `argocd app wait …`, `flux …`). */
  command?: string[];
  /** The deadline, from the push, in ms. */
  timeout: number;
  /** Between attempts, in ms. */
  interval: number;
}

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
