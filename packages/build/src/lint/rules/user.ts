import type { Hit, Rule } from '../types.js';
import { finalStage, shippedStages } from '../stages.js';

const ROOT = /^(root|0)(:(root|0))?$/;

/** The image runs as root when nothing it is built from says USER (unless its external base does). */
export const rootUser: Rule = {
  id: 'PL009',
  severity: 'warning',
  title: 'the final stage runs as root',
  check(df) {
    const last = finalStage(df);
    if (!last) return [];
    const users = shippedStages(df).flatMap((s) => s.instructions.filter((i) => i.kind === 'USER'));
    const user = users[users.length - 1];
    if (user?.kind === 'USER') {
      return ROOT.test(user.user.text) ? [{ pos: user.pos, message: `the image runs as ${user.user.text}: a process escaping the app owns the container`, fix: 'USER app (create it: RUN useradd -r -u 10001 app), or USER 10001' } satisfies Hit] : [];
    }
    return [{ pos: last.from.pos, message: 'no USER in the final stage: the container runs as root unless the base image sets a user', fix: 'add USER 10001 (or a named user) after the last RUN' }];
  },
};
