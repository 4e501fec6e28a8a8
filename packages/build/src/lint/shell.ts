import type { Command, RunInstruction } from '../dockerfile/types.js';

/** The script a RUN/CMD runs: the shell form as written, `sh -c SCRIPT` unwrapped, else the argv joined. */
export function scriptOf(cmd: Command): string {
  if (cmd.form === 'shell') return cmd.script;
  const [sh, flag, script] = cmd.argv;
  if (isShell(sh) && flag === '-c' && script !== undefined) return script;
  return cmd.argv.join(' ');
}

export const isShell = (p: string | undefined): boolean => !!p && /^(\/usr)?(\/bin\/)?(sh|bash|ash|dash|zsh)$/.test(p);

/**
 * Splits a script into simple commands (on && || ; | & and newlines) and each into words, dropping
 * leading `VAR=value` assignments. A heuristic, not a shell: quotes only protect separators inside them.
 */
export function simpleCommands(script: string): string[][] {
  const out: string[][] = [];
  let word = '';
  let words: string[] = [];
  let quote: string | undefined;
  const endWord = () => {
    if (word) words.push(word);
    word = '';
  };
  const endCmd = () => {
    endWord();
    while (words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) words.shift();
    if (words.length) out.push(words);
    words = [];
  };
  const s = script.replace(/\\\r?\n/g, ' ');
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '\\' && i + 1 < s.length) word += s[++i];
    else if (c === ' ' || c === '\t') endWord();
    else if (c === '>' || c === '<') {
      // A redirection like 2>&1 or &>/dev/null is not a separator: keep it inside the word.
      word += c;
      if (s[i + 1] === '&') word += s[++i];
    } else if (c === ';' || c === '\n' || c === '|' || c === '&') {
      if (c === '&' && s[i + 1] === '>') {
        word += c;
        continue;
      }
      if ((c === '&' || c === '|') && s[i + 1] === c) i++;
      endCmd();
    } else word += c;
  }
  endCmd();
  return out;
}

/** True if the script starts a job in the background: a single `&` that is not `&&`, `>&` or `&>`. */
export function hasBackgroundJob(script: string): boolean {
  const s = script.replace(/'[^']*'|"[^"]*"/g, '""');
  return /(^|[^&>|<])&(?![&>])/.test(s);
}

/** `apt-get install` / `apk add` / … → the package manager, if this simple command installs packages. */
export function packageInstall(words: string[]): string | undefined {
  const [cmd, ...rest] = words[0] === 'sudo' ? words.slice(1) : words;
  const sub = rest.filter((w) => !w.startsWith('-'))[0];
  const tool = cmd?.split('/').pop();
  if ((tool === 'apt-get' || tool === 'apt') && sub === 'install') return 'apt';
  if (tool === 'apk' && sub === 'add') return 'apk';
  if ((tool === 'yum' || tool === 'dnf' || tool === 'microdnf' || tool === 'zypper') && (sub === 'install' || sub === 'in')) return tool;
  return undefined;
}

/** RUN --mount=type=cache,target=… on a directory: its files never land in the layer. */
export function cacheMounted(run: RunInstruction, dir: string): boolean {
  return run.flags.some((f) => f.name === 'mount' && !!f.value && /type=cache/.test(f.value.text) && new RegExp(`(target|dst|destination)=${dir.replace(/\//g, '\\/')}`).test(f.value.text));
}
