import type { Dockerfile } from '../../dockerfile/types.js';
import type { Hit, Rule } from '../types.js';
import { finalStage, shippedStages } from '../stages.js';

const ROOT = /^(root|0)(:(root|0))?$/;
export const isRootUser = (user: string): boolean => ROOT.test(user);

/**
 * The user the image runs as: the last USER of the stages it ships, else what its first shipped
 * stage's base runs as (via `baseUser`), else undefined (unknown: an external base).
 */
export function effectiveUser(df: Dockerfile, baseUser?: (image: string) => string | undefined): string | undefined {
  const shipped = shippedStages(df);
  const users = shipped.flatMap((s) => s.instructions.flatMap((i) => (i.kind === 'USER' ? [i.user.text] : [])));
  if (users.length) return users[users.length - 1];
  const first = shipped[0];
  return first ? baseUser?.(first.from.image.text) : undefined;
}

/** The image runs as root when nothing it is built from says USER (unless its external base does). */
export const rootUser: Rule = {
  id: 'PL009',
  severity: 'warning',
  title: 'the final stage runs as root',
  check(df, ctx) {
    const last = finalStage(df);
    if (!last) return [];
    const users = shippedStages(df).flatMap((s) => s.instructions.filter((i) => i.kind === 'USER'));
    const user = users[users.length - 1];
    if (user?.kind === 'USER') {
      return ROOT.test(user.user.text) ? [{ pos: user.pos, message: `the image runs as ${user.user.text}: a process escaping the app owns the container`, fix: 'USER app (create it: RUN useradd -r -u 10001 app), or USER 10001' } satisfies Hit] : [];
    }
    const first = shippedStages(df)[0] ?? last;
    const inherited = ctx?.baseUser?.(first.from.image.text);
    if (inherited !== undefined && !ROOT.test(inherited)) return [];
    if (inherited !== undefined) return [{ pos: first.from.pos, message: `no USER here, and ${first.from.image.text} runs as ${inherited}: the container runs as root`, fix: 'add USER 10001 (or a named user) after the last RUN' }];
    return [{ pos: last.from.pos, message: 'no USER in the final stage: the container runs as root unless the base image sets a user', fix: 'add USER 10001 (or a named user) after the last RUN' }];
  },
};
