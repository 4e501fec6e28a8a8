// Golden files for every edit kind: the edited file must equal after.yaml byte for byte (comments,
// blank lines, quoting, key order, indentation and document separators kept), and after.yaml itself
// must mean before.yaml with only the expected fields changed (checked by a full YAML load of both).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { invert, ManifestFiles, planEdits, readEdits, writeChanges, type DesiredImage, type GitopsEdit, type ManifestSource } from '../src/index.js';

const dir = fileURLToPath(new URL('./fixtures/gitops/edits/', import.meta.url));
const DESIRED: DesiredImage = {
  name: 'registry.example.com/team/web',
  tag: '3f2c1e9a7b6d5c4e3f2a1b0c9d8e7f6a5b4c3d2e',
  digest: `sha256:${'c0ffee'.repeat(10)}c0ff`,
};

interface Case { edit: GitopsEdit; desired?: Partial<DesiredImage>; expect: [number, (string | number)[], string | null][] }

const source = (files: Record<string, string>): ManifestSource => ({ read: async (p) => files[p], yamlFiles: async () => undefined });

async function edit(text: string, c: Case, desired: DesiredImage) {
  const files = new ManifestFiles(source({ [c.edit.file]: text }));
  const changes = await planEdits(files, [c.edit], desired);
  const written = await writeChanges(files, changes);
  return { text: written.texts.get(c.edit.file) ?? text, written };
}

function load(text: string): unknown[] {
  return parseAllDocuments(text).map((d) => d.toJS());
}

function setIn(docs: unknown[], doc: number, path: (string | number)[], value: string | null): void {
  let o = docs[doc] as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (value === null) delete o[last];
  else o[last] = value;
}

const sorted = (v: unknown): unknown => (Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, sorted(x)]) : v);
const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

for (const name of readdirSync(dir).sort()) {
  const c = JSON.parse(readFileSync(join(dir, name, 'case.json'), 'utf8')) as Case;
  const before = readFileSync(join(dir, name, 'before.yaml'), 'utf8');
  const after = readFileSync(join(dir, name, 'after.yaml'), 'utf8');
  const desired = { ...DESIRED, ...c.desired };

  test(`${name}: edited file equals after.yaml byte for byte`, async () => {
    const r = await edit(before, c, desired);
    assert.fixture(r.text, after);
    assert.equal(r.written.conflicts, []);
  });

  test(`${name}: after.yaml is before.yaml with only the expected fields changed`, () => {
    const want = load(before);
    for (const [doc, path, value] of c.expect) setIn(want, doc, path, value);
    assert.equal(sorted(load(after)), sorted(want));
    assert.equal(load(after).length, load(before).length);
  });

  test(`${name}: deploying the same image again changes nothing; the fields read back the deployed digest`, async () => {
    const again = await edit(after, c, desired);
    assert.is(again.written.texts.size, 0);
    const files = new ManifestFiles(source({ [c.edit.file]: after }));
    const [reading] = await readEdits(files, [c.edit]);
    assert.ok(reading.versions.length > 0);
    for (const v of reading.versions) assert.is(v.version.digest, desired.digest, `${v.where}`);
  });

  test(`${name}: the inverted changes give before.yaml back`, async () => {
    const r = await edit(before, c, desired);
    const files = new ManifestFiles(source({ [c.edit.file]: r.text }));
    const back = await writeChanges(files, r.written.applied.map(invert));
    const text = back.texts.get(c.edit.file) ?? r.text;
    assert.equal(back.conflicts, []);
    assert.equal(sorted(load(text)), sorted(load(before)));
    // Setting existing scalars back is exact; a re-added key may land elsewhere among its siblings.
    if (r.written.applied.every((x) => x.before !== undefined && x.after !== undefined)) assert.fixture(text, before);
  });

  test(`${name}: the same with CRLF line breaks`, async () => {
    const r = await edit(crlf(before), c, desired);
    assert.fixture(r.text, crlf(after));
  });
}

test.run();
