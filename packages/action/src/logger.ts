import * as core from '@actions/core';
import { mask, type Logger } from '@pipeline/core';

/**
 * The library's Logger on the runner's workflow commands: info lines, `::warning::`, debug (shown with
 * ACTIONS_STEP_DEBUG), and `::group::` per stage. The runner does not nest groups: inside one, an
 * inner group's lines simply belong to the outer one (as the CLI prints them outside CI).
 */
export function actionLogger(): Logger {
  let open = 0;
  return {
    debug: (m) => core.debug(mask(m)),
    info: (m) => core.info(mask(m)),
    warn: (m) => core.warning(mask(m)),
    progress: () => {},
    group: async (title, fn) => {
      if (open > 0) return fn();
      open++;
      core.startGroup(mask(title));
      try {
        return await fn();
      } finally {
        core.endGroup();
        open--;
      }
    },
  };
}
