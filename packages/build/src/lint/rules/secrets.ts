import type { Pos } from '../../dockerfile/types.js';
import type { Hit, Rule } from '../types.js';
import { allInstructions } from '../stages.js';

const NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?|AUTH_?KEY)/i;
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
];

/** Never repeat the value: the report may end up in a CI log. */
function check(kind: string, name: string, value: string | undefined, pos: Pos): Hit[] {
  if (NAME.test(name) && !POINTER.test(name)) {
    return [{ pos, message: `${kind} ${name}: a secret in ${kind} is stored in the image config and history, readable by anyone who can pull it`, fix: 'RUN --mount=type=secret,id=' + name.toLowerCase() + ' … at build time, or pass it at run time from the environment' }];
  }
  const v = value === undefined || /^\$/.test(value) ? undefined : VALUES.find(([, re]) => re.test(value));
  return v ? [{ pos, message: `${kind} ${name} holds what looks like ${v[0]}: it is baked into the image`, fix: 'remove it, rotate it, and mount it at build time (RUN --mount=type=secret) or pass it at run time' }] : [];
}

export const secrets: Rule = {
  id: 'PL006',
  severity: 'error',
  title: 'secrets in ENV, ARG or LABEL',
  check(df) {
    return allInstructions(df).flatMap((i): Hit[] => {
      if (i.kind === 'ENV') return i.pairs.flatMap((p) => check('ENV', p.key, p.value.text, i.pos));
      if (i.kind === 'ARG') return i.args.flatMap((a) => check('ARG', a.name, a.value?.text, i.pos));
      if (i.kind === 'LABEL') return i.pairs.flatMap((p) => check('LABEL', p.key.text, p.value.text, p.key.pos));
      return [];
    });
  },
};
