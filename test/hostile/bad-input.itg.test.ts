// The security and bad-input suite, cases that need the real services (registries): as
// bad-input.test.ts, one at a time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { needs, type ServiceName } from '../lib/services.js';
import { loadCases, pool, runCase } from './case.js';

const all = (await loadCases()).flatMap(({ file, cases }) => cases.filter((c) => c.needs?.length).map((c) => ({ file, c })));
const wanted = [...new Set(all.flatMap(({ c }) => c.needs ?? []))] as ServiceName[];

if (needs(test, ...wanted)) {
  test(`hostile input with services: ${all.length} cases through the binary, each handled`, async () => {
    const failures = (await pool(all, 1, async ({ file, c }) => {
      const why = await runCase(c);
      return why ? `${file}: ${c.name}: ${why}` : undefined;
    })).filter(Boolean);
    console.log(`hostile input (services): ${all.length} tried, ${all.length - failures.length} handled`);
    assert.equal(failures, []);
  });
}

test.run();
