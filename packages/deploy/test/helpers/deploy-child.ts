// A deploy in its own process that SIGKILLs itself at the step named by KILL_AT (a real crash: no cleanup runs).
import { deploy, type DeployEnvironment } from '../../src/index.js';

const env = JSON.parse(process.env.DEPLOY_ENV!) as DeployEnvironment;
await deploy({
  env, image: process.env.DEPLOY_IMAGE!, actor: 'child',
  onStep: (s) => {
    if (s === process.env.KILL_AT) process.kill(process.pid, 'SIGKILL');
  },
});
