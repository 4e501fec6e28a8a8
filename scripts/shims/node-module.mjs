// `node:module` as the Action's bundle sees it. The deploy code loads dockerode with a runtime
// require (createRequire) so the CLI starts without it; the Action is one file with no node_modules
// beside it, so that require must get the copy bundled here. Everything else is Node's own.
import * as real from 'module';

export * from 'module';

/** Modules this bundle carries, by the name a runtime require asks for (bundled lazily by esbuild). */
const bundled = { dockerode: () => require('dockerode') };

export function createRequire(from) {
  const req = real.createRequire(from);
  return Object.assign((id) => (Object.hasOwn(bundled, id) ? bundled[id]() : req(id)), req);
}

export default { ...real, createRequire };
