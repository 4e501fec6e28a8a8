export { splitImage, formatImage, sameRepository, shaOfTag, type ImageVersion, type DesiredImage } from './image.js';
export { YamlFile, type YamlPath } from './yaml/file.js';
export { applyChanges, invert, readField, type FieldChange, type AppliedChanges } from './yaml/fields.js';
export { plainIsString } from './yaml/scalar.js';
export { ManifestFiles, planEdits, writeChanges, readEdits, type ManifestSource, type WrittenFiles } from './edits/plan.js';
export { parseValuesPath } from './edits/helm.js';
export { HELM_FIELDS, editName, type GitopsEdit, type KustomizeEdit, type HelmEdit, type HelmField, type ManifestEdit, type FluxEdit, type EditReading } from './edits/types.js';
