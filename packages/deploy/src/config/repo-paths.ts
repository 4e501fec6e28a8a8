// git check-ref-format, the parts a branch name can get wrong.
export const BAD_REF = /(^[-/.]|\.\.|[\x00-\x20~^:?*[\\]|@\{|\/\/|\/\.|\.lock$|\.lock\/|[/.]$)/;

/** A relative path inside a git tree: no leading or trailing slash, no empty, `.`, `..` or `.git` part. */
export function isTreePath(p: string): boolean {
  return !p.startsWith('/') && !p.endsWith('/') && !p.split('/').some((s) => s === '' || s === '.' || s === '..' || s === '.git');
}
