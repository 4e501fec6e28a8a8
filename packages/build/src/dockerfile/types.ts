/** The parsed Dockerfile: instructions keep raw words; the executor expands them against its own env. */

/** 1-based line and column in the Dockerfile. */
export interface Pos {
  line: number;
  column: number;
}

/** A raw word as written (quotes and `$VAR` intact), to be expanded by `expandWord(s)` at execution time. */
export interface Word {
  text: string;
  pos: Pos;
}

/** Exec form (JSON array, not expanded) or shell form (a script run by SHELL). */
export type Command = { form: 'exec'; argv: string[] } | { form: 'shell'; script: string };

interface Base<K extends string> {
  kind: K;
  pos: Pos;
  /** The instruction's text as written, continuations joined: used for history `created_by`. */
  raw: string;
}

export interface FromInstruction extends Base<'FROM'> {
  image: Word;
  platform?: Word;
  /** `AS name`, lowercased as Docker does. */
  as?: string;
}
export interface ArgInstruction extends Base<'ARG'> {
  args: { name: string; value?: Word }[];
}
export interface EnvInstruction extends Base<'ENV'> {
  pairs: { key: string; value: Word }[];
}
export interface LabelInstruction extends Base<'LABEL'> {
  pairs: { key: Word; value: Word }[];
}
export interface CopyInstruction extends Base<'COPY' | 'ADD'> {
  sources: Word[];
  dest: Word;
  /** COPY --from=stage|index|image */
  from?: Word;
  chown?: Word;
  chmod?: Word;
  link?: boolean;
  /** ADD --checksum=sha256:… */
  checksum?: Word;
  /** ADD --keep-git-dir */
  keepGitDir?: boolean;
  exclude?: Word[];
  parents?: boolean;
  /** ADD --unpack[=false]: whether to extract a local or remote archive (moby's default: local yes, URL no). */
  unpack?: boolean;
}
export interface RunInstruction extends Base<'RUN'> {
  command: Command;
  /** --mount, --network, --security as written; executors decide what they support. */
  flags: { name: string; value?: Word }[];
}
export interface CmdInstruction extends Base<'CMD' | 'ENTRYPOINT'> {
  command: Command;
}
export interface ShellInstruction extends Base<'SHELL'> {
  argv: string[];
}
export interface WorkdirInstruction extends Base<'WORKDIR'> {
  path: Word;
}
export interface UserInstruction extends Base<'USER'> {
  user: Word;
}
export interface ExposeInstruction extends Base<'EXPOSE'> {
  ports: Word[];
}
export interface VolumeInstruction extends Base<'VOLUME'> {
  /** JSON form gives literal paths; plain form gives words to expand. */
  paths: Word[];
}
export interface StopSignalInstruction extends Base<'STOPSIGNAL'> {
  signal: Word;
}
export interface HealthcheckInstruction extends Base<'HEALTHCHECK'> {
  /** null for HEALTHCHECK NONE */
  command: Command | null;
  /** Durations in nanoseconds, as the image config stores them. */
  interval?: number;
  timeout?: number;
  startPeriod?: number;
  startInterval?: number;
  retries?: number;
}
export interface OnbuildInstruction extends Base<'ONBUILD'> {
  /** The trigger instruction's text, e.g. `COPY . /app`. */
  trigger: string;
}
export interface MaintainerInstruction extends Base<'MAINTAINER'> {
  name: string;
}

export type Instruction =
  | FromInstruction
  | ArgInstruction
  | EnvInstruction
  | LabelInstruction
  | CopyInstruction
  | RunInstruction
  | CmdInstruction
  | ShellInstruction
  | WorkdirInstruction
  | UserInstruction
  | ExposeInstruction
  | VolumeInstruction
  | StopSignalInstruction
  | HealthcheckInstruction
  | OnbuildInstruction
  | MaintainerInstruction;

export interface Stage {
  index: number;
  name?: string;
  from: FromInstruction;
  /** Everything after FROM up to the next FROM. */
  instructions: Instruction[];
}

export interface Dockerfile {
  /** The path used in every error message. */
  file: string;
  escape: '\\' | '`';
  /** `# syntax=` directive, recorded only. */
  syntax?: string;
  /** `# check=` directive (BuildKit lint settings), recorded only. */
  check?: string;
  /** ARGs before the first FROM: usable in FROM lines, and re-declarable inside stages. */
  globalArgs: ArgInstruction[];
  stages: Stage[];
}

/** Looks up a variable for expansion; undefined means unset (different from empty). */
export type VarLookup = (name: string) => string | undefined;
