// Why our own line joiner and not the `dockerfile-ast` package (evaluated at 0.7.1): it is an
// editor model (ranges, a separate validator, no typed errors) and it splits some files
// differently from moby's parser, which is what `docker build` uses:
//   - `RUN echo a\\` (an escaped escape at the end of a line) is not a continuation for moby;
//     dockerfile-ast joins the next instruction into the RUN.
//   - `# foo=bar` then `# escape=`` `: an unknown directive ends moby's directive block, so the
//     escape line is a comment and `\` stays the escape; dockerfile-ast switches to backtick.
// It does agree on comments and blank lines inside continuations, CRLF, a BOM and trailing
// blanks after the escape. Joining lines the moby way is ~60 lines (lines.ts), so we own it.
// The rules follow moby/buildkit frontend/dockerfile/parser (parser.go, line_parsers.go,
// split_command.go, directives.go) and instructions/parse.go.
import { DockerfileError, cut, didYouMean, quote } from '@pipeline/core';
import type { ArgInstruction, CopyInstruction, Dockerfile, Instruction, Stage } from './types.js';
import { logicalLines, readDirectives, type LogicalLine } from './lines.js';
import { KEYWORDS, parseInstruction } from './instructions.js';
import type { Ctx } from './context.js';

const KNOWN = new Set<string>(KEYWORDS);

/** Parses Dockerfile text into stages of typed instructions; every error names file:line:column. */
export function parseDockerfile(text: string, file: string): Dockerfile {
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');
  const { directives, first } = readDirectives(lines, file);
  const globalArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  const logical = logicalLines(lines, first, directives.escape);
  for (const line of logical) {
    const ins = instruction(line, file, directives.escape);
    if (ins.kind === 'FROM') {
      const dup = ins.as ? stages.find((s) => s.name === ins.as) : undefined;
      if (dup) throw new DockerfileError(`duplicate stage name ${quote(ins.as)} (first defined on line ${dup.from.pos.line})`, { file, ...ins.pos }, 'Expected each FROM … AS <name> to be unique');
      stages.push({ index: stages.length, name: ins.as, from: ins, instructions: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (stage) stage.instructions.push(ins);
    else if (ins.kind === 'ARG') globalArgs.push(ins);
    else throw new DockerfileError(`${ins.kind} before the first FROM`, { file, ...ins.pos }, 'Expected FROM first (only ARG may come before it)');
  }
  if (!stages.length) throw new DockerfileError(logical.length ? 'no FROM instruction: the Dockerfile has no stage to build' : 'the Dockerfile is empty (no instructions)', { file, line: 1, column: 1 }, 'Expected at least one FROM <image>');
  for (const s of stages) for (const ins of s.instructions) if (ins.kind === 'COPY' || ins.kind === 'ADD') checkFrom(file, stages, s, ins);
  return { file, escape: directives.escape, ...(directives.syntax ? { syntax: directives.syntax } : {}), ...(directives.check ? { check: directives.check } : {}), globalArgs, stages };
}

function instruction(line: LogicalLine, file: string, escape: '\\' | '`'): Instruction {
  const m = /^(\S+)\s*/.exec(line.text)!;
  const keyword = m[1].toUpperCase();
  if (!KNOWN.has(keyword)) {
    const near = didYouMean(keyword, KEYWORDS);
    throw new DockerfileError(`unknown instruction ${quote(m[1])}`, { file, ...line.pos }, near ? `did you mean ${near}?` : `Expected one of ${KEYWORDS.join(' ')}`);
  }
  const c: Ctx = { file, escape, line, keyword, argsAt: m[0].length };
  // ONBUILD's trigger is parsed like a line of its own, so its mistakes surface now, not in a child build.
  const trigger = (offset: number) => {
    const sub: LogicalLine = { text: line.text.slice(offset), pos: line.at(offset), at: (o) => line.at(o + offset) };
    instruction(sub, file, escape);
  };
  return parseInstruction(c, trigger);
}

/** COPY --from must name an earlier stage (or an image); itself or a later stage is a mistake. */
function checkFrom(file: string, stages: Stage[], s: Stage, ins: CopyInstruction) {
  if (!ins.from || ins.from.text.includes('$')) return;
  const ref = ins.from.text.toLowerCase();
  const byIndex = /^\d+$/.test(ref) ? Number(ref) : undefined;
  const target = stages.find((x) => x.name === ref) ?? (byIndex !== undefined ? stages[byIndex] : undefined);
  const where = { file, ...ins.from.pos };
  if (target === s) throw new DockerfileError(`${ins.kind} --from=${cut(ins.from.text)} refers to its own stage`, where, 'Expected an earlier stage or an image');
  if (byIndex !== undefined && !target) throw new DockerfileError(`${ins.kind} --from=${cut(ins.from.text)}: there is no stage ${byIndex} (stages are numbered 0-${stages.length - 1})`, where, 'Expected the index or name of an earlier stage');
  if (target && target.index > s.index) throw new DockerfileError(`${ins.kind} --from=${cut(ins.from.text)} refers to a stage defined later (line ${target.from.pos.line})`, where, 'Expected an earlier stage: move that stage above this one');
}
