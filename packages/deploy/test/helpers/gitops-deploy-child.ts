// One deploy in its own process, for the race test: argv[2] is {url, env, n}; prints the result as JSON.
import { gitopsDeploy } from '../../src/index.js';
import { desired, environment } from './gitops-fixture.js';

const { url, env, n } = JSON.parse(process.argv[2]) as { url: string; env: string; n: number };
try {
  const r = await gitopsDeploy({ env: environment(env, url), desired: desired(n), actor: `racer-${n}` });
  process.stdout.write(JSON.stringify({ n, commit: r.commit, rounds: r.rounds }));
} catch (e) {
  process.stdout.write(JSON.stringify({ n, error: (e as Error).message }));
  process.exitCode = 1;
}
