// Every program the code, tests or benchmarks spawn is either part of a plain Debian + Node machine
// (Node, npm, git, and packages of Debian priority "required") or installed by test/services/packages.
// A program a developer installed by hand once passes every run on their machine and fails on a new
// one (socat did, 9 failures): this test fails on the machine where it was forgotten.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
};

/** package:command pairs of test/services/packages. */
function wanted(): { pkg: string; cmd: string }[] {
  const text = readFileSync(join(root, 'test/services/packages'), 'utf8');
  const list = /wanted=\(([^)]*)\)/.exec(text)?.[1] ?? '';
  return list.split(/\s+/).filter(Boolean).map((p) => ({ pkg: p.slice(0, p.indexOf(':')), cmd: p.slice(p.indexOf(':') + 1) }));
}

const SPAWN = /\b(?:execa|execaSync|spawn|spawnSync|execFile|execFileSync)\(\s*(['"`])([^'"`$]+)\1\s*(?:,\s*\[([^\]]{0,300}))?/g;
// Wrappers whose own arguments name the program that really runs on the host.
const WRAPPERS = new Set(['nsenter', 'setsid', 'timeout', 'unshare', 'env', 'nice', 'ionice']);

/** Programs spawned with a literal name in tracked source (packages, test, bench, scripts). */
function spawned(): Map<string, string> {
  const files = run('git', ['-C', root, 'ls-files', '*.ts', '*.mjs', '*.js', '*.cjs']).split('\n')
    // dist/ (the Action's committed bundle) is generated from the sources scanned here, plus third-party code.
    .filter((f) => f && !f.includes('node_modules/') && !f.includes('/dist/') && !f.startsWith('dist/') && !f.includes('/fixtures/'));
  const found = new Map<string, string>();
  for (const f of files) {
    const text = readFileSync(join(root, f), 'utf8');
    for (const m of text.matchAll(SPAWN)) {
      let cmd = m[2];
      if (WRAPPERS.has(cmd) && m[3]) {
        const inner = [...m[3].matchAll(/(['"])([^'"]+)\1/g)].map((x) => x[2]).find((a) => /^(\/[\w/.-]+|[a-z][\w.+-]*)$/.test(a) && !a.startsWith('-'));
        if (inner) cmd = inner;
      }
      if (!found.has(cmd)) found.set(cmd, `${f}:${text.slice(0, m.index).split('\n').length}`);
    }
  }
  return found;
}

function which(cmd: string): string | undefined {
  if (cmd.startsWith('/')) return existsSync(cmd) ? cmd : undefined;
  for (const d of (process.env.PATH ?? '').split(delimiter)) if (d && existsSync(join(d, cmd))) return join(d, cmd);
  return undefined;
}

/** The Debian package that owns a path (merged /usr: dpkg may know it as /bin/x or /usr/bin/x). */
function owner(path: string): string | undefined {
  const real = realpathSync(path);
  const forms = new Set([path, real, real.replace(/^\/usr\//, '/'), path.replace(/^\/usr\//, '/'), `/usr${real}`]);
  for (const p of forms) {
    const out = run('dpkg', ['-S', p]);
    const line = out.split('\n').find((l) => !l.startsWith('diversion by'));
    if (line) return line.split(':')[0];
  }
  return undefined;
}

const priority = (pkg: string) => run('dpkg-query', ['-W', '-f=${Priority}', pkg]);
const MACHINE = new Set(['node', 'npm', 'npx', 'git']); // a new machine has these (node.md)

test('every spawned program is on a plain machine or installed by test/services/packages', () => {
  const list = wanted();
  const installedByUs = new Set(list.flatMap((w) => [w.cmd, w.cmd.split('/').pop()!]));
  const problems: string[] = [];
  for (const [cmd, where] of spawned()) {
    if (MACHINE.has(cmd) || installedByUs.has(cmd)) continue;
    const path = which(cmd);
    const pkg = path ? owner(path) : undefined;
    if (pkg && priority(pkg) === 'required') continue;
    problems.push(`${cmd} (spawned at ${where}; ${pkg ? `Debian package ${pkg}, priority ${priority(pkg) || '?'}` : 'no Debian package owns it'}): add it to test/services/packages`);
  }
  assert.equal(problems, []);
});

test('each program of test/services/packages is installed now, by the package the list names', () => {
  const problems: string[] = [];
  for (const { pkg, cmd } of wanted()) {
    // `a,b:cmd`: either package may be the one that ships it.
    const ships = (p: string) => run('dpkg', ['-L', p]).split('\n').some((f) => (cmd.startsWith('/') ? f === cmd || `/usr${f}` === cmd || f === `/usr${cmd}` : f.endsWith(`/bin/${cmd}`) || f.endsWith(`/sbin/${cmd}`)));
    if (!pkg.split(',').some(ships)) problems.push(`${pkg}:${cmd}: ${pkg.includes(',') ? `none of ${pkg.split(',').join(', ')} is installed and ships` : `package ${pkg} is not installed, or does not ship`} ${cmd}`);
  }
  assert.equal(problems, []);
});

test('the scan sees through wrappers (nsenter … socat) and finds what the labs spawn', () => {
  const s = spawned();
  assert.ok(s.has('socat'), 'socat (spawned through nsenter in test/lib/netns.ts) was not found by the scan');
  assert.ok(s.has('dockerd') && s.has('ip'), 'dockerd and ip should be found');
});

test.run();
