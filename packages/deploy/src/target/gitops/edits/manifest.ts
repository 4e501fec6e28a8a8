import { isMap, isSeq } from 'yaml';
import { formatImage, splitImage, type DesiredImage } from '../image.js';
import type { FieldChange } from '../yaml/fields.js';
import { fieldValue, pairOf, scalarText, type YamlFile, type YamlPath } from '../yaml/file.js';
import { mismatch, type EditKind, type ManifestEdit } from './types.js';

/** Where each workload kind keeps its pod spec. */
const POD_SPEC: Record<string, YamlPath> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

interface Found { file: YamlFile; doc: number; parent: YamlPath; image?: string; value: string | null; workload: string; where: string }

function containers(file: YamlFile, edit: ManifestEdit): Found[] {
  const [wantKind, wantName] = edit.workload ? edit.workload.split('/') : [];
  const found: Found[] = [];
  const seen: string[] = [];
  for (let doc = 0; doc < file.docs.length; doc++) {
    const kind = scalarText(file.get(doc, ['kind']));
    const name = scalarText(file.get(doc, ['metadata', 'name']));
    const spec = kind ? POD_SPEC[kind] : undefined;
    if (!spec || (wantKind && wantKind.toLowerCase() !== kind!.toLowerCase()) || (wantName && wantName !== name)) continue;
    for (const list of ['initContainers', 'containers']) {
      const seq = file.get(doc, [...spec, list]);
      if (!isSeq(seq)) continue;
      seq.items.forEach((item, i) => {
        const c = file.resolve(doc, item);
        if (!isMap(c)) return;
        const cname = scalarText(pairOf(c, 'name')?.value);
        seen.push(`${kind}/${name ?? '?'} ${cname ?? '?'}`);
        if (cname !== edit.container) return;
        const image = pairOf(c, 'image');
        if (!image) mismatch(edit, 'container', `${file.where(c)}: Expected container ${cname} of ${kind}/${name ?? '?'} to have an image:, got none`);
        found.push({ file, doc, parent: [...spec, list, i], image: scalarText(image!.value), value: fieldValue(file.resolve(doc, image!.value)) ?? null, workload: `${kind}/${name ?? '?'}`, where: file.where(image!.value as never) });
      });
    }
  }
  if (!found.length) {
    const what = edit.workload ? `${edit.workload}'s containers` : 'the workloads';
    mismatch(edit, 'container', `${file.path}: Expected a container named ${edit.container} in ${what}, got ${seen.length ? `only ${seen.join(', ')}` : 'no workload with containers (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod…)'}`);
  }
  return found;
}

/** Every container of that name (in the workload named, if any) gets `name:tag@digest`. */
export const manifest: EditKind<ManifestEdit> = {
  plan([file], edit, desired: DesiredImage) {
    return containers(file, edit).map(
      (f): FieldChange => ({ file: file.path, doc: f.doc, parent: f.parent, key: 'image', before: f.value, after: formatImage(desired), label: `${f.workload} container ${edit.container} image` }),
    );
  },
  read([file], edit) {
    return containers(file, edit).flatMap((f) => {
      const v = f.image ? splitImage(f.image) : undefined;
      return v ? [{ version: v, where: f.where }] : [];
    });
  },
};
