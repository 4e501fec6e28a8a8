
/** What an image says about the commit that built it. */
export interface GitInfo {
  sha: string;
  short: string;
  /** Branch name: the checkout's own when HEAD is attached (the CLI's settings fill in a CI's detached checkout). */
  branch?: string;
  /** Tags pointing at HEAD (e.g. v1.2.3). */
  tags: string[];
  /** Commit time, seconds since 1970 (unknown when the commit is known only from a CI variable). */
  commitTime?: number;
  dirty: boolean;
  /** Files that make the tree dirty (for the report). */
  dirtyFiles: string[];
  remoteUrl?: string;
  author: string;
  defaultBranch?: string;
}

/**
 * Reads HEAD's metadata with simple-git, from the checkout alone; undefined outside a git checkout.
 * What a CI says about the commit (a detached HEAD's branch…) is the CLI settings' business.
 */
export async function readGitInfo(dir: string): Promise<GitInfo | undefined> {
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
  const branch = branchRaw.trim() !== 'HEAD' ? branchRaw.trim() : undefined;
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
    defaultBranch: headRef.trim().replace(/^origin\//, '') || undefined,
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
