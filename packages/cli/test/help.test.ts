// One meaning per flag: every option of every command has exactly one help line, and no help line
// describes a flag the command does not take (`-t` once meant two things in `pipeline build --help`).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { commands } from '../src/commands/index.js';

for (const [name, entry] of Object.entries(commands)) {
  test(`pipeline ${name} --help: each option once, nothing else`, async () => {
    const cmd = await entry.load();
    const described = cmd.help.flatMap((line) => [...line.matchAll(/^(?:-(\w), )?\s*--([a-z][\w-]*)/g)].map((m) => ({ long: m[2], short: m[1] })));
    const longs = described.map((d) => d.long);
    assert.equal(longs.filter((l, i) => longs.indexOf(l) !== i), [], 'a flag described twice');
    assert.equal([...longs].sort(), Object.keys(cmd.options).sort(), 'every option has its help line');
    for (const d of described) if (d.short) assert.is((cmd.options[d.long] as { short?: string }).short, d.short, `-${d.short} is --${d.long}`);
  });
}

test.run();
