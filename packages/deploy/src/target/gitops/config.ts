import type { GitopsEdit } from './edits/types.js';
import type { VerifyConfig } from './verify/types.js';

/** A `target: gitops` environment: a deploy is a commit to a manifests repository, verified or reverted. */
export interface GitopsEnvironment {
  name: string;
  /** The image repository deployed (as the manifests should name it). */
  image?: string;
  repository: {
    url: string;
    branch: string;
    /** Name of the environment variable holding an https token. */
    tokenEnv?: string;
    username?: string;
  };
  edits: GitopsEdit[];
  verify?: VerifyConfig;
  push: { attempts: number; maxDelay: number };
}
