import type { Command } from '../command.js';
import { runPlugin } from './plugin-run.js';

const command: Command = {
  name: 'plugin',
  summary: 'Run as a Drone, Woodpecker or GitLab CI step: settings from PLUGIN_* and the CI\'s variables',
  usage: 'pipeline plugin   (the plugin image\'s entrypoint; settings come from the environment)',
  options: {},
  help: [
    'Settings: PLUGIN_<NAME> as Drone and Woodpecker pass a step\'s settings: (GitLab: the same names as variables:):',
    '  repo, registry, username, password, tags, tags_file, auto_tag, auto_tag_suffix, dockerfile, context, target,',
    '  build_args, build_args_from_env, labels, platforms, no_cache, executor, insecure, dry_run, config (pipeline.yml),',
    '  images, deploy (an environment), digest_file, docker_config_json, logins. A .tags file in the workspace gives',
    '  tags when no tags setting does. A misspelt setting is exit 2. See docs/ci/ for Drone, Woodpecker and GitLab.',
    'Results: the digest in digest_file (default .pipeline/digest) and as dotenv in <digest_file>.env, Drone\'s card',
    '  at DRONE_CARD_PATH, and one log line per digest and pushed tag.',
    'Exit: 0 pushed (and deployed), 1 a test failed or the deploy rolled back, 2 bad settings (nothing pushed).',
  ],
  async run(ctx) {
    const { code, report, lines } = await runPlugin({ env: ctx.env, cwd: ctx.cwd, logger: ctx.logger });
    ctx.result(report, lines.join('\n'));
    return code;
  },
};
export default command;
