
/** What an image says about the commit that built it. */
export interface GitInfo {
  sha: string;
  short: string;
  /** Branch name; in CI's detached checkouts taken from the CI's own variables. */
  branch?: string;
  /** Tags pointing at HEAD (e.g. v1.2.3). */
  tags: string[];
  /** Commit time, seconds since 1970. */
  commitTime: number;
  dirty: boolean;
  /** Files that make the tree dirty (for the report). */
  dirtyFiles: string[];
  remoteUrl?: string;
  author: string;
  defaultBranch?: string;
}

/** CI systems check out a detached HEAD; they name the branch in their own variables. */
function branchFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  if (env.GITHUB_HEAD_REF) return env.GITHUB_HEAD_REF;
  if (env.GITHUB_REF_TYPE === 'branch' && env.GITHUB_REF_NAME) return env.GITHUB_REF_NAME;
  return env.CI_COMMIT_BRANCH || env.CI_COMMIT_REF_NAME || env.DRONE_BRANCH || env.CI_COMMIT_BRANCH || env.BRANCH_NAME || undefined;
}

/** Reads HEAD's metadata with simple-git; undefined outside a git checkout. */
export async function readGitInfo(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<GitInfo | undefined> {
  const { simpleGit } = await import('simple-git');
  const git = simpleGit({ baseDir: dir });
  let sha: string;
  try {
    if (!(await git.checkIsRepo())) return undefined;
    sha = (await git.revparse(['HEAD'])).trim();
  } catch {
    return undefined;
  }
  const [branchRaw, tagsRaw, show, status, remotes, headRef] = await Promise.all([
    git.revparse(['--abbrev-ref', 'HEAD']).catch(() => 'HEAD'),
    git.raw(['tag', '--points-at', 'HEAD']).catch(() => ''),
    git.show(['-s', '--format=%ct%x00%an <%ae>', 'HEAD']),
    git.status(),
    git.getRemotes(true).catch(() => []),
    git.raw(['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD']).catch(() => ''),
  ]);
  const [time, author] = show.trim().split('\0');
  // pipeline's own state dir (build record, local images) never makes a tree dirty.
  const dirtyFiles = status.files.map((f) => f.path).filter((p) => !p.startsWith('.pipeline/') && !p.includes('/.pipeline/'));
  const branch = branchRaw.trim() !== 'HEAD' ? branchRaw.trim() : branchFromEnv(env);
  const origin = remotes.find((r) => r.name === 'origin') ?? remotes[0];
  return {
    sha,
    short: sha.slice(0, 7),
    branch,
    tags: tagsRaw.split('\n').map((t) => t.trim()).filter(Boolean).sort(),
    commitTime: Number(time),
    dirty: dirtyFiles.length > 0,
    dirtyFiles,
    remoteUrl: origin?.refs.fetch || undefined,
    author: author ?? '',
    defaultBranch: headRef.trim().replace(/^origin\//, '') || env.CI_DEFAULT_BRANCH || undefined,
  };
}

/** `git@github.com:o/r.git` / `https://user:tok@host/o/r.git` → `https://host/o/r` (no credentials). */
export function sourceUrl(remote: string | undefined): string | undefined {
  if (!remote) return undefined;
  const scp = /^[\w.-]+@([\w.-]+):(.+?)(?:\.git)?$/.exec(remote);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  try {
    const u = new URL(remote);
    if (u.protocol === 'file:') return undefined;
    return `https://${u.host}${u.pathname.replace(/\.git$/, '')}`;
  } catch {
    return undefined;
  }
}
