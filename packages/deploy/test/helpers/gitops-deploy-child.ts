// One deploy in its own process, for the race test: argv[2] is {url, env, n}; prints the result as JSON.
import { deploy } from '../../src/index.js';
import { environment, imageRef, shaOf } from './gitops-fixture.js';

const { url, env, n } = JSON.parse(process.argv[2]) as { url: string; env: string; n: number };
try {
  const r = await deploy({ env: environment(env, url), image: imageRef(n), sha: shaOf(n), actor: `racer-${n}` });
  process.stdout.write(JSON.stringify({ n, deployId: r.deployId, committed: r.plan.batches.length > 0 }));
} catch (e) {
  process.stdout.write(JSON.stringify({ n, error: (e as Error).message }));
  process.exitCode = 1;
}
