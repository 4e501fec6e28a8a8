// The security and bad-input suite, cases without services: every row of test/hostile/cases/
// through the real binary (see case.ts for the rules every case is judged by).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCases, pool, runCase } from './case.js';

const all = (await loadCases()).flatMap(({ file, cases }) => cases.filter((c) => !c.needs?.length).map((c) => ({ file, c })));

test(`hostile input: ${all.length} cases through the binary, each handled`, async () => {
  const failures = (await pool(all, 2, async ({ file, c }) => {
    const why = await runCase(c);
    return why ? `${file}: ${c.name}: ${why}` : undefined;
  })).filter(Boolean);
  console.log(`hostile input: ${all.length} tried, ${all.length - failures.length} handled`);
  assert.equal(failures, []);
});

test.run();
