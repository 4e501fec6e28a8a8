import type { CmdInstruction, Dockerfile } from '../../dockerfile/types.js';
import type { Rule } from '../types.js';
import { finalStage, shippedStages } from '../stages.js';
import { hasBackgroundJob, isShell, scriptOf } from '../shell.js';

const INITS = /^(tini|tini-static|dumb-init|catatonit|s6-svscan|s6-init|runsvdir|supervisord|init|docker-init|\/init)$/;

/** The CMD and ENTRYPOINT the image runs with: the last of each in the final stage or a stage it builds on. */
function entry(df: Dockerfile): { cmd?: CmdInstruction; entrypoint?: CmdInstruction } {
  const out: { cmd?: CmdInstruction; entrypoint?: CmdInstruction } = {};
  for (const s of shippedStages(df)) {
    for (const i of s.instructions) {
      if (i.kind === 'CMD') out.cmd = i;
      if (i.kind === 'ENTRYPOINT') {
        out.entrypoint = i;
        out.cmd = undefined; // ENTRYPOINT resets an inherited CMD
      }
    }
  }
  return out;
}

const hasInit = (i: CmdInstruction | undefined): boolean => i?.command.form === 'exec' && INITS.test((i.command.argv[0] ?? '').split('/').pop()!);

/** Runs several processes from a shell with `&`, so nothing reaps zombies or forwards SIGTERM to them. */
export const multiProcess: Rule = {
  id: 'PL002',
  severity: 'error',
  title: 'several processes started from a shell without an init',
  check(df) {
    if (!finalStage(df)) return [];
    const { cmd, entrypoint } = entry(df);
    if (hasInit(entrypoint) || hasInit(cmd)) return [];
    return [entrypoint, cmd].flatMap((i) =>
      i && hasBackgroundJob(scriptOf(i.command)) && (i.command.form === 'shell' || isShell(i.command.argv[0]))
        ? [{ pos: i.pos, message: `${i.kind} starts background jobs with '&' under a shell: SIGTERM reaches only the shell, children are killed after the timeout and zombies pile up`, fix: 'one process per container; if you need several, ENTRYPOINT ["tini", "--"] (or dumb-init) in front' }]
        : [],
    );
  },
};

/** Shell form puts /bin/sh at PID 1: it ignores SIGTERM, so `docker stop` waits its 10 s and kills. */
export const shellForm: Rule = {
  id: 'PL001',
  severity: 'warning',
  title: 'shell-form CMD/ENTRYPOINT: the shell swallows SIGTERM',
  check(df) {
    const { cmd, entrypoint } = entry(df);
    if (hasInit(entrypoint)) return [];
    return [entrypoint, cmd].flatMap((i) => {
      if (!i || i.command.form !== 'shell' || hasBackgroundJob(i.command.script)) return [];
      // `exec node app.js` replaces the shell, so the signal reaches the process.
      if (/^\s*exec\s/.test(i.command.script) && !/[;&|]/.test(i.command.script)) return [];
      if (i.kind === 'CMD' && entrypoint?.command.form === 'exec' && !isShell(entrypoint.command.argv[0])) return [];
      const argv = i.command.script.trim().replace(/^exec\s+/, '').split(/\s+/).map((w) => JSON.stringify(w));
      return [{ pos: i.pos, message: `${i.kind} in shell form runs under /bin/sh -c, which does not forward SIGTERM to your process`, fix: `${i.kind} [${argv.join(', ')}]` }];
    });
  },
};
