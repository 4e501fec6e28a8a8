import type { Instruction, Pos } from '../../dockerfile/types.js';
import { parseDockerfile } from '../../dockerfile/parse.js';
import type { Hit, Rule } from '../types.js';
import { allInstructions } from '../stages.js';

/**
 * Names that hold a secret. Word parts are matched at `_` boundaries where a bare match would
 * catch ordinary names: `DB_PASS` but not `BYPASS`, `MYSQL_ROOT_PWD` but not `PWD` (the shell's
 * working directory), `NPM_CONFIG__AUTH` but not `AUTHOR`; `SSH_KEY` but not `GPG_KEY` (official
 * images publish their signing key's fingerprint that way).
 */
const NAME = /PASSWORD|PASSWD|PASSPHRASE|(^|_)PASS(_|$)|_PWD$|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|SSH_?KEY|CREDENTIALS?|AUTH_?KEY|(^|_)_?AUTH$/i;
/** A name that points at a secret rather than holding one: PASSWORD_FILE=/run/secrets/db. */
const POINTER = /(_FILE|_PATH|_DIR|_URL|_NAME|_ID)$/i;
const VALUES: [string, RegExp][] = [
  ['a private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['an AWS access key', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['a GitHub token', /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
  ['a GitLab token', /\bglpat-[A-Za-z0-9_-]{20,}\b/],
  ['a Slack token', /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/],
  ['a Stripe key', /\b[sr]k_live_[A-Za-z0-9]{16,}\b/],
  ['a JSON web token', /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\./],
  // scheme://user:password@host, unless the password is a variable ($DB_PASS, ${DB_PASS}).
  ['a password in a URL', /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:(?!\$)[^\s/@]+@/i],
];

/** Never repeat the value: the report may end up in a CI log. */
function check(kind: string, name: string, value: string | undefined, pos: Pos): Hit[] {
  if (NAME.test(name) && !POINTER.test(name)) {
    return [{ pos, message: `${kind} ${name}: a secret in ${kind} is stored in the image config and history, readable by anyone who can pull it`, fix: 'RUN --mount=type=secret,id=' + name.toLowerCase() + ' … at build time, or pass it at run time from the environment' }];
  }
  const v = value === undefined || /^\$/.test(value) ? undefined : VALUES.find(([, re]) => re.test(value));
  return v ? [{ pos, message: `${kind} ${name} holds what looks like ${v[0]}: it is baked into the image`, fix: 'remove it, rotate it, and mount it at build time (RUN --mount=type=secret) or pass it at run time' }] : [];
}

function hitsOf(i: Instruction, prefix = '', at?: Pos): Hit[] {
  if (i.kind === 'ENV') return i.pairs.flatMap((p) => check(`${prefix}ENV`, p.key, p.value.text, at ?? i.pos));
  if (i.kind === 'ARG') return i.args.flatMap((a) => check(`${prefix}ARG`, a.name, a.value?.text, at ?? i.pos));
  if (i.kind === 'LABEL') return i.pairs.flatMap((p) => check(`${prefix}LABEL`, p.key.text, p.value.text, at ?? p.key.pos));
  if (i.kind === 'ONBUILD') {
    // The trigger runs in every child build: its ENV lands in their images. Parsed as moby does, at the ONBUILD's line.
    let trigger: Instruction | undefined;
    try {
      trigger = parseDockerfile(`FROM scratch\n${i.trigger}\n`, 'ONBUILD').stages[0].instructions[0];
    } catch {
      return []; // the parser reported it already
    }
    return trigger ? hitsOf(trigger, 'ONBUILD ', i.pos) : [];
  }
  return [];
}

export const secrets: Rule = {
  id: 'PL006',
  severity: 'error',
  title: 'secrets in ENV, ARG or LABEL (also in ONBUILD triggers)',
  check: (df) => allInstructions(df).flatMap((i) => hitsOf(i)),
};
