import type { SimpleGit } from 'simple-git';

// simple-git drops ambient GIT_* variables and refuses explicit ones unless listed here.
const ALLOWED_ENV = ['GIT_INDEX_FILE', 'GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL', 'GIT_SSH_COMMAND', 'GIT_SSH', 'GIT_TERMINAL_PROMPT', 'GIT_CONFIG_COUNT', 'GIT_CONFIG_KEY_0', 'GIT_CONFIG_VALUE_0'];
// Variables simple-git refuses outright (npm sets EDITOR, a shell may set PAGER): none matter to plumbing.
const DROPPED = new Set(['EDITOR', 'VISUAL', 'PAGER', 'SSH_ASKPASS', 'PREFIX']);

/** `Jane Doe <jane@example.com>` (git's author form) or a CI login. */
export function gitIdent(actor: string): { name: string; email: string } {
  const m = /^(.+?)\s*<([^>]*)>$/.exec(actor.trim());
  return m ? { name: m[1], email: m[2] } : { name: actor.trim() || 'unknown', email: '' };
}

/**
 * simple-git in `dir`, loaded on first use, with the ambient GIT_* variables dropped (a hook's
 * GIT_DIR must not redirect plumbing) except the user's ssh command, and never a terminal prompt.
 */
export async function openGit(dir: string, env: Record<string, string> = {}): Promise<SimpleGit> {
  const { simpleGit } = await import('simple-git');
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.toUpperCase().startsWith('GIT_') && !DROPPED.has(k.toUpperCase())) base[k] = v;
  // The user's own ssh command for pushes (a deploy key in CI) is kept; simple-git wants that said out loud.
  for (const k of ['GIT_SSH_COMMAND', 'GIT_SSH']) if (process.env[k]) base[k] = process.env[k]!;
  return simpleGit({ baseDir: dir, allowEnvironment: ALLOWED_ENV, unsafe: { allowUnsafeSshCommand: true } }).env({ ...base, GIT_TERMINAL_PROMPT: '0', ...env });
}
