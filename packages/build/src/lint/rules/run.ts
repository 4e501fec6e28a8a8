import type { Hit, Rule } from '../types.js';
import { isRun } from '../stages.js';
import { scriptOf, simpleCommands } from '../shell.js';

const runs = (df: Parameters<Rule['check']>[0]) => df.stages.flatMap((s) => s.instructions.filter(isRun));

export const sudo: Rule = {
  id: 'PL011',
  severity: 'warning',
  title: 'sudo in RUN',
  check(df) {
    return runs(df).flatMap((run): Hit[] =>
      simpleCommands(scriptOf(run.command)).some((w) => w[0] === 'sudo')
        ? [{ pos: run.pos, message: 'sudo in RUN: builds run as the current USER already, and sudo in an image is an escalation path', fix: 'switch with USER root before this RUN and back with USER app after it' }]
        : [],
    );
  },
};

export const cdInRun: Rule = {
  id: 'PL014',
  severity: 'warning',
  title: 'cd in RUN instead of WORKDIR',
  check(df) {
    return runs(df).flatMap((run): Hit[] => {
      const cd = simpleCommands(scriptOf(run.command)).find((w) => w[0] === 'cd');
      return cd ? [{ pos: run.pos, message: `cd ${cd[1] ?? ''} lasts only for this RUN and hides the working directory from readers`.replace('  ', ' '), fix: `WORKDIR ${cd[1]?.startsWith('/') ? cd[1] : '/absolute/path'} before the RUN` }] : [];
    });
  },
};
