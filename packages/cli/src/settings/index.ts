export { resolveSettings, explicitValue, isExplicit, wantsSingleImage, FLAG_NAMES, type Settings, type SettingsInput, type SettingFlags, type Login } from './resolve.js';
export { resolveFacts, type Facts } from './facts.js';
export { destinations, gitTags, isRemoteRef, type Destinations } from './destinations.js';
export { logins } from './logins.js';
export { detectHost, HOSTS, type CiHost } from './hosts.js';
export { EXPLICIT_LAYERS, ACTION_INPUTS, SECRET_SETTINGS, inputVar, secretValues, type SettingsLayer } from './layers.js';
export { KINDS, type SettingName, type FactName, type Door, type Env } from './names.js';
export { describeSource, parseBool, splitList, splitPairs } from './values.js';
