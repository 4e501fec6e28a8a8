// Runs the committed Action bundle as the GitHub runner does: `node dist/action/index.mjs` in the
// workspace, inputs as INPUT_<NAME> (upper-cased, spaces → `_`, hyphens kept), the default GITHUB_*
// variables of a push or pull_request event, and the file commands (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
// GITHUB_ENV, GITHUB_PATH, GITHUB_STATE) as fresh files in a temporary RUNNER_TEMP.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ACTION_MAIN = fileURLToPath(new URL('../../dist/action/index.mjs', import.meta.url));

export interface GithubEvent {
  name: 'push' | 'pull_request';
  /** The runner's GITHUB_SHA: HEAD of the pushed branch, or the PR's merge commit. */
  sha: string;
  repository: string;
  /** push: the branch pushed. pull_request: the PR's number, head and base branches. */
  branch?: string;
  pr?: { number: number; head: string; headSha: string; base: string };
  actor?: string;
  runId?: string;
}

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** Every file command file's content, for "no secret anywhere". */
  files: Record<string, string>;
}

/** The runner's own parser for GITHUB_OUTPUT / GITHUB_ENV: `name=value` lines and `name<<DELIMITER` heredocs. */
export function parseFileCommand(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]);
      if (i >= lines.length) throw new Error(`GITHUB_OUTPUT: no closing ${delimiter} for ${name}`);
      out[name] = value.join('\n');
    } else {
      const eq = line.indexOf('=');
      if (eq <= 0) throw new Error(`GITHUB_OUTPUT: malformed line ${JSON.stringify(line)}`);
      out[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return out;
}

/** The webhook payload's fields the runner's consumers read (a subset of GitHub's real shapes). */
function payload(e: GithubEvent, server: string): unknown {
  const repository = { full_name: e.repository, name: e.repository.split('/')[1], owner: { login: e.repository.split('/')[0] }, default_branch: 'main', html_url: `${server}/${e.repository}`, clone_url: `${server}/${e.repository}.git` };
  const sender = { login: e.actor ?? 'octocat' };
  if (e.name === 'push') return { ref: `refs/heads/${e.branch}`, after: e.sha, repository, pusher: { name: sender.login }, sender, head_commit: { id: e.sha } };
  const pr = e.pr!;
  return { action: 'synchronize', number: pr.number, pull_request: { number: pr.number, head: { ref: pr.head, sha: pr.headSha }, base: { ref: pr.base }, merge_commit_sha: e.sha }, repository, sender };
}

/** Default environment of a step (docs: "Variables reference", default environment variables). */
function githubEnv(e: GithubEvent, workspace: string, temp: string): Record<string, string> {
  const server = 'https://github.com';
  const common: Record<string, string> = {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_EVENT_NAME: e.name,
    GITHUB_EVENT_PATH: join(temp, '_github_workflow', 'event.json'),
    GITHUB_SHA: e.sha,
    GITHUB_REPOSITORY: e.repository,
    GITHUB_REPOSITORY_OWNER: e.repository.split('/')[0],
    GITHUB_SERVER_URL: server,
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
    GITHUB_RUN_ID: e.runId ?? '4242',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: e.actor ?? 'octocat',
    GITHUB_TRIGGERING_ACTOR: e.actor ?? 'octocat',
    GITHUB_WORKFLOW: 'ci',
    GITHUB_JOB: 'build',
    GITHUB_ACTION: '__owner_pipeline',
    GITHUB_ACTION_REPOSITORY: 'owner/pipeline',
    GITHUB_ACTION_REF: 'v1',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'test-runner',
    RUNNER_TEMP: temp,
    RUNNER_TOOL_CACHE: join(temp, 'tool-cache'),
  };
  if (e.name === 'push') return { ...common, GITHUB_REF: `refs/heads/${e.branch}`, GITHUB_REF_NAME: e.branch!, GITHUB_REF_TYPE: 'branch', GITHUB_REF_PROTECTED: 'false', GITHUB_HEAD_REF: '', GITHUB_BASE_REF: '' };
  const pr = e.pr!;
  return { ...common, GITHUB_REF: `refs/pull/${pr.number}/merge`, GITHUB_REF_NAME: `${pr.number}/merge`, GITHUB_REF_TYPE: 'branch', GITHUB_HEAD_REF: pr.head, GITHUB_BASE_REF: pr.base };
}

/** Ambient settings of whoever runs the tests must not reach the Action. */
const scrubbed = (env: NodeJS.ProcessEnv) => Object.fromEntries(Object.entries(env).filter(([k]) => !/^(GITHUB_|INPUT_|RUNNER_|PIPELINE_|PLUGIN_|CI_|DRONE|GITLAB|ACTIONS_)/.test(k) && k !== 'CI'));

export function runAction(o: { workspace: string; event: GithubEvent; inputs?: Record<string, string>; env?: Record<string, string>; timeoutMs?: number }): Promise<ActionRun> {
  const temp = mkdtempSync(join(tmpdir(), 'runner-temp-'));
  const files = { GITHUB_OUTPUT: 'output', GITHUB_STEP_SUMMARY: 'step_summary', GITHUB_ENV: 'env', GITHUB_PATH: 'path', GITHUB_STATE: 'state' } as const;
  const fileEnv: Record<string, string> = {};
  for (const [name, base] of Object.entries(files)) {
    fileEnv[name] = join(temp, `${base}_${process.pid}`);
    writeFileSync(fileEnv[name], '');
  }
  const gh = githubEnv(o.event, o.workspace, temp);
  mkdirSync(join(temp, '_github_workflow'));
  writeFileSync(gh.GITHUB_EVENT_PATH, JSON.stringify(payload(o.event, gh.GITHUB_SERVER_URL), null, 2));
  const inputs = Object.fromEntries(Object.entries(o.inputs ?? {}).map(([k, v]) => [`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v]));
  const env = { ...scrubbed(process.env), ...gh, ...fileEnv, ...inputs, ...(o.env ?? {}) };
  return new Promise((resolve) => {
    execFile(process.execPath, [ACTION_MAIN], { cwd: o.workspace, env, maxBuffer: 64 * 1024 * 1024, timeout: o.timeoutMs ?? 300_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as unknown as { code: number }).code : 1) : 0;
      const read = (name: string) => readFileSync(fileEnv[name], 'utf8');
      const all = Object.fromEntries(Object.keys(files).map((n) => [n, read(n)]));
      const run: ActionRun = { code, stdout, stderr, outputs: parseFileCommand(all.GITHUB_OUTPUT), summary: all.GITHUB_STEP_SUMMARY, files: all };
      rmSync(temp, { recursive: true, force: true });
      resolve(run);
    });
  });
}

/** A workflow command line (`::name k=v,k=v::message`), unescaped as the runner does. */
export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

export function workflowCommands(stdout: string): WorkflowCommand[] {
  const out: WorkflowCommand[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const properties: Record<string, string> = {};
    for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
    out.push({ command: m[1], properties, message: unescapeData(m[3]) });
  }
  return out;
}
