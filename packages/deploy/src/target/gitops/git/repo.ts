import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addSecret, ConfigError, DeployError, mask } from '@pipeline/core';
import type { SimpleGit } from 'simple-git';
import { gitIdent, openGit } from '../../../git/open.js';
import type { ManifestSource } from '../edits/plan.js';

export interface ManifestRepoOptions {
  /** Anything `git fetch` takes: https://…, ssh://…, git@host:path, a local path. */
  url: string;
  branch: string;
  /** https: sent as HTTP Basic (username:token) to that URL's origin only, never on the command line. */
  token?: string;
  username?: string;
}

export type PushOutcome = { pushed: true } | { pushed: false; reason: string };

/**
 * The manifests repository seen through a private, shallow object store in a temp dir: each round
 * fetches the branch tip alone (depth 1), writes a commit on top of it by plumbing and pushes it
 * without force, so no work tree, no checkout and nothing shared with another process.
 */
export class ManifestRepo {
  private constructor(
    readonly o: ManifestRepoOptions,
    private readonly dir: string,
    private readonly git: SimpleGit,
    private readonly tracking: string,
  ) {}

  static async open(o: ManifestRepoOptions): Promise<ManifestRepo> {
    const dir = await mkdtemp(join(tmpdir(), 'pipeline-gitops-'));
    const env: Record<string, string> = {};
    if (o.token) {
      const basic = Buffer.from(`${o.username ?? 'x-access-token'}:${o.token}`).toString('base64');
      addSecret(o.token);
      addSecret(basic);
      const origin = /^https?:\/\//.test(o.url) ? new URL(o.url).origin : undefined;
      if (origin) Object.assign(env, { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `http.${origin}/.extraHeader`, GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}` });
    }
    try {
      const password = /^https?:\/\//.test(o.url) ? decodeURIComponent(new URL(o.url).password) : '';
      if (password) addSecret(password);
    } catch {
      // not a URL: a path or scp-like address, nothing to mask
    }
    const git = await openGit(dir, env);
    await git.raw(['init', '--quiet', '--bare']);
    await git.raw(['config', 'gc.auto', '0']);
    return new ManifestRepo(o, dir, git, `refs/pipeline/tip-${randomBytes(4).toString('hex')}`);
  }

  /** The branch's tip now (fetched); a missing branch is the user's config, exit 2. */
  async fetch(depth: number | 'full' = 1): Promise<string> {
    const args = ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', ...(depth === 'full' ? (await this.isShallow() ? ['--unshallow'] : []) : [`--depth=${depth}`]), this.o.url, `+refs/heads/${this.o.branch}:${this.tracking}`];
    await this.git.raw(args).catch((e: Error) => {
      const msg = mask(e.message.trim());
      if (/couldn't find remote ref/i.test(msg)) throw new ConfigError(`gitops: Expected a branch ${this.o.branch} in ${mask(this.o.url)}, got none`, undefined, 'create the branch in the manifests repository, or set branch:');
      const lines = msg.split('\n').filter(Boolean);
      throw new DeployError(`gitops: cannot fetch ${mask(this.o.url)}: ${(lines.find((l) => /^(fatal|error):/.test(l)) ?? lines.pop() ?? 'git failed').replace(/^(fatal|error):\s*/, '')}`, { cause: e, hint: 'check the URL and that this machine may read it (ssh keys, or repository.token for https)' });
    });
    return (await this.git.raw(['rev-parse', '--verify', `${this.tracking}^{commit}`])).trim();
  }

  private isShallow(): Promise<boolean> {
    return this.git.raw(['rev-parse', '--is-shallow-repository']).then((s) => s.trim() === 'true');
  }

  /** The files of one commit. */
  source(commit: string): ManifestSource {
    return {
      read: (path) => this.git.raw(['cat-file', 'blob', `${commit}:${path}`]).then((s) => s, () => undefined),
      yamlFiles: async (dir) => {
        const type = await this.git.raw(['cat-file', '-t', `${commit}:${dir}`]).then((s) => s.trim(), () => '');
        if (type !== 'tree') return undefined;
        const list = await this.git.raw(['ls-tree', '-r', '--name-only', '-z', commit, '--', dir]);
        return list.split('\0').filter((p) => /\.ya?ml$/i.test(p)).sort();
      },
    };
  }

  /** A tree with `texts` written over `parent`'s (modes kept), not yet a commit. */
  async tree(parent: string, texts: Map<string, string>): Promise<string> {
    const tmp = await mkdtemp(join(this.dir, 'index-'));
    try {
      const git = await openGit(this.dir, { GIT_INDEX_FILE: join(tmp, 'index') });
      await git.raw(['read-tree', parent]);
      for (const [path, text] of texts) {
        const file = join(tmp, 'blob');
        await writeFile(file, text);
        const blob = (await git.raw(['hash-object', '-w', '--', file])).trim();
        const mode = (await git.raw(['ls-tree', parent, '--', path])).split(' ')[0] || '100644';
        await git.raw(['update-index', '--add', '--cacheinfo', `${mode},${blob},${path}`]);
      }
      return (await git.raw(['write-tree'])).trim();
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** A commit of `texts` on top of `parent`, the actor as author and committer. */
  async commit(parent: string, texts: Map<string, string>, message: string, actor: string): Promise<string> {
    const tree = await this.tree(parent, texts);
    const who = gitIdent(actor);
    const file = join(this.dir, `msg-${randomBytes(4).toString('hex')}`);
    await writeFile(file, message);
    try {
      const git = await openGit(this.dir, { GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email, GIT_COMMITTER_NAME: who.name, GIT_COMMITTER_EMAIL: who.email });
      return (await git.raw(['commit-tree', tree, '-p', parent, '-F', file])).trim();
    } finally {
      await rm(file, { force: true });
    }
  }

  /** `git diff` of the files `texts` would change on `parent`. */
  async diff(parent: string, texts: Map<string, string>): Promise<string> {
    if (!texts.size) return '';
    const tree = await this.tree(parent, texts);
    return this.git.raw(['diff', '--no-color', '--no-ext-diff', parent, tree, '--', ...texts.keys()]);
  }

  /**
   * Pushes `commit` to the branch, never forced: the remote takes it only as a fast-forward. A tip
   * that moved meanwhile (rejected, stale lock) is `pushed: false`; anything else throws.
   */
  async push(commit: string): Promise<PushOutcome> {
    const dest = `refs/heads/${this.o.branch}`;
    try {
      await this.git.raw(['push', '--porcelain', '--quiet', this.o.url, `${commit}:${dest}`]);
      return { pushed: true };
    } catch (e) {
      const msg = mask((e as Error).message);
      const status = /^!\t[^\t]*\t(.*)$/m.exec(msg)?.[1];
      if (status && /\[rejected\]|fetch first|non-fast-forward|cannot lock ref|failed to update ref|incorrect old value|stale info/i.test(status)) return { pushed: false, reason: status };
      throw new DeployError(`gitops: push to ${mask(this.o.url)} (${this.o.branch}) refused: ${status ?? msg.trim().split('\n').filter((l) => !l.startsWith('hint:')).pop()}`, { cause: e, hint: 'check the credentials and that the branch accepts pushes from this identity (protected branches need an allowed user or token)' });
    }
  }

  /** Raw git in the private store (log, show) for history and status. */
  raw(args: string[]): Promise<string> {
    return this.git.raw(args);
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
