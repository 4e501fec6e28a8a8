import type { DesiredImage } from '../image.js';
import { applyChanges, type AppliedChanges, type FieldChange } from '../yaml/fields.js';
import { YamlFile } from '../yaml/file.js';
import { flux } from './flux.js';
import { helm } from './helm.js';
import { kustomize } from './kustomize.js';
import { manifest } from './manifest.js';
import { mismatch, type EditKind, type EditReading, type GitopsEdit } from './types.js';

/** The manifests at one revision (a git tree, a directory). */
export interface ManifestSource {
  /** The file's text, or undefined when there is no such file. */
  read(path: string): Promise<string | undefined>;
  /** `.yaml`/`.yml` files under a directory, or undefined when it is not one. */
  yamlFiles(dir: string): Promise<string[] | undefined>;
}

const KINDS: { [K in GitopsEdit['kind']]: EditKind<Extract<GitopsEdit, { kind: K }>> } = { kustomize, helm, manifest, flux };
const kindOf = <E extends GitopsEdit>(e: E) => KINDS[e.kind] as unknown as EditKind<E>;

/** Parsed files of one revision, each parsed once however many edits touch it. */
export class ManifestFiles {
  private readonly cache = new Map<string, Promise<YamlFile | undefined>>();
  constructor(readonly source: ManifestSource) {}

  file(path: string): Promise<YamlFile | undefined> {
    let f = this.cache.get(path);
    if (!f) this.cache.set(path, (f = this.source.read(path).then((t) => (t === undefined ? undefined : new YamlFile(path, t)))));
    return f;
  }

  /** The files an edit reads: its file, or (flux) every YAML file under its directory. */
  async forEdit(edit: GitopsEdit): Promise<YamlFile[]> {
    const one = await this.file(edit.file);
    if (one) return [one];
    const dir = edit.kind === 'flux' ? await this.source.yamlFiles(edit.file) : undefined;
    if (dir) return (await Promise.all(dir.map((p) => this.file(p)))).filter((f): f is YamlFile => !!f);
    return mismatch(edit, 'file', `${edit.kind}: Expected ${edit.file} in the manifests repository, got no such ${edit.kind === 'flux' ? 'file or directory' : 'file'}`, 'paths are relative to the root of the manifests repository');
  }

  parsed(): Promise<YamlFile[]> {
    return Promise.all(this.cache.values()).then((l) => l.filter((f): f is YamlFile => !!f));
  }
}

/** The field changes that put `desired` into every edit's files. */
export async function planEdits(files: ManifestFiles, edits: GitopsEdit[], desired: DesiredImage): Promise<FieldChange[]> {
  const out: FieldChange[] = [];
  for (const e of edits) out.push(...kindOf(e).plan(await files.forEdit(e), e, desired));
  return out;
}

export interface WrittenFiles extends Omit<AppliedChanges, 'text'> {
  /** New text of each file that changed. */
  texts: Map<string, string>;
}

/** Applies changes file by file; a file whose text comes out the same is not in `texts`. */
export async function writeChanges(files: ManifestFiles, changes: FieldChange[]): Promise<WrittenFiles> {
  const out: WrittenFiles = { texts: new Map(), applied: [], conflicts: [] };
  const byFile = new Map<string, FieldChange[]>();
  for (const c of changes) byFile.set(c.file, [...(byFile.get(c.file) ?? []), c]);
  for (const [path, list] of byFile) {
    const file = await files.file(path);
    if (!file) {
      out.conflicts.push(...list.map((change) => ({ change })));
      continue;
    }
    const r = applyChanges(file, list);
    out.applied.push(...r.applied);
    out.conflicts.push(...r.conflicts);
    if (r.text !== file.text) out.texts.set(path, r.text);
  }
  return out;
}

/** What each edit's fields point at now. */
export async function readEdits(files: ManifestFiles, edits: GitopsEdit[]): Promise<EditReading[]> {
  const out: EditReading[] = [];
  for (const e of edits) out.push({ edit: e, versions: kindOf(e).read(await files.forEdit(e), e) });
  return out;
}
