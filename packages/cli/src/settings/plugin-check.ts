import { didYouMean, UsageError } from '@pipeline/core';
import type { Env } from './names.js';
import { varsOf } from './layers.js';
import { PLUGIN_IGNORED, PLUGIN_LAYER } from './plugin.js';

/** Every PLUGIN_* name this plugin reads. */
export const PLUGIN_NAMES: readonly string[] = [...new Set(Object.values(PLUGIN_LAYER.vars).flatMap((r) => (r ? varsOf(r) : [])))].sort();

/** `PLUGIN_BUILD_ARGS` → `build_args`: how the user wrote it under `settings:`. */
export const settingName = (v: string) => v.slice('PLUGIN_'.length).toLowerCase();

/**
 * The step's PLUGIN_* variables against the names this plugin knows. A name that looks like a typo of a
 * known one (`dockerfil`, `build_arg`) is a mistake: exit 2 naming it, before anything is built. The
 * docker plugins' daemon settings are accepted with a warning; any other name is reported and ignored.
 */
export function checkPluginEnv(env: Env): { warnings: string[] } {
  const known = new Set(PLUGIN_NAMES);
  const warnings: string[] = [];
  for (const name of Object.keys(env).filter((k) => k.startsWith('PLUGIN_')).sort()) {
    if (known.has(name)) continue;
    if (PLUGIN_IGNORED[name]) {
      warnings.push(`setting ${settingName(name)} (${name}) is ignored: ${PLUGIN_IGNORED[name]}`);
      continue;
    }
    const near = didYouMean(settingName(name), [...PLUGIN_NAMES, ...Object.keys(PLUGIN_IGNORED)].map(settingName));
    if (near) {
      throw new UsageError(`unknown setting ${settingName(name)} (${name}): did you mean ${near} (PLUGIN_${near.toUpperCase()})?`, `the settings are: ${PLUGIN_NAMES.map(settingName).join(', ')}`);
    }
    warnings.push(`setting ${settingName(name)} (${name}) is not one of this plugin's and is ignored`);
  }
  return { warnings };
}
