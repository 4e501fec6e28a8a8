import type { Dockerfile, RunInstruction } from '../../dockerfile/types.js';
import type { Hit, Rule } from '../types.js';
import { isRun, shippedStages } from '../stages.js';
import { cacheMounted, packageInstall, scriptOf, simpleCommands } from '../shell.js';

const commandsOf = (run: RunInstruction) => simpleCommands(scriptOf(run.command));
const tool = (w: string[]) => (w[0] === 'sudo' ? w[1] : w[0])?.split('/').pop();

/** RUNs of the stages that ship: package caches in a builder stage are thrown away with it. */
const shippedRuns = (df: Dockerfile): RunInstruction[] => shippedStages(df).flatMap((s) => s.instructions.filter(isRun));

export const aptLists: Rule = {
  id: 'PL003',
  severity: 'warning',
  title: 'apt-get install without removing /var/lib/apt/lists in the same RUN',
  check(df) {
    return shippedRuns(df).flatMap((run): Hit[] => {
      const cmds = commandsOf(run);
      if (!cmds.some((w) => packageInstall(w) === 'apt') || cacheMounted(run, '/var/lib/apt')) return [];
      const cleaned = cmds.some((w) => tool(w) === 'rm' && w.some((a) => a.startsWith('/var/lib/apt/lists')));
      return cleaned ? [] : [{ pos: run.pos, message: 'apt-get install leaves the package lists (~40 MB) in this layer', fix: 'end the same RUN with && rm -rf /var/lib/apt/lists/*' }];
    });
  },
};

export const aptUpgrade: Rule = {
  id: 'PL004',
  severity: 'warning',
  title: 'apt-get upgrade / dist-upgrade in a Dockerfile',
  check(df) {
    return df.stages.flatMap((s) => s.instructions.filter(isRun)).flatMap((run): Hit[] => {
      const w = commandsOf(run).find((w) => (tool(w) === 'apt-get' || tool(w) === 'apt') && w.some((a) => /^(dist-|full-)?upgrade$/.test(a)));
      return w ? [{ pos: run.pos, message: `${w.find((a) => /upgrade$/.test(a))} makes the build depend on the day it runs and bloats the layer`, fix: 'rebuild on a newer base image (bump the OS image version) instead of upgrading in place' }] : [];
    });
  },
};

export const runPerPackage: Rule = {
  id: 'PL005',
  severity: 'warning',
  title: 'consecutive RUNs each installing packages',
  check(df) {
    const hits: Hit[] = [];
    for (const s of shippedStages(df)) {
      let prev: RunInstruction | undefined;
      for (const i of s.instructions) {
        const installs = isRun(i) && commandsOf(i).some((w) => packageInstall(w) !== undefined);
        if (installs && prev) hits.push({ pos: i.pos, message: `another RUN installing packages right after line ${prev.pos.line}: each RUN is a layer, and caches are paid twice`, fix: `merge into the RUN on line ${prev.pos.line}: one install, one cleanup` });
        prev = installs ? (i as RunInstruction) : undefined;
      }
    }
    return hits;
  },
};

export const apkNoCache: Rule = {
  id: 'PL010',
  severity: 'warning',
  title: 'apk add without --no-cache',
  check(df) {
    return shippedRuns(df).flatMap((run): Hit[] => {
      if (cacheMounted(run, '/var/cache/apk') || cacheMounted(run, '/etc/apk/cache')) return [];
      const cmds = commandsOf(run);
      const cleaned = cmds.some((w) => tool(w) === 'rm' && w.some((a) => a.startsWith('/var/cache/apk')));
      const bad = cmds.some((w) => packageInstall(w) === 'apk' && !w.includes('--no-cache'));
      return bad && !cleaned ? [{ pos: run.pos, message: 'apk add keeps its index cache in this layer', fix: 'apk add --no-cache …' }] : [];
    });
  },
};
