// Why not dockerfile-ast: it models instructions for an editor (ranges, diagnostics through a
// separate validator) and keeps continuation/comment handling close to, but not exactly, moby's
// (e.g. comment lines inside a continuation, CRLF, empty continuation lines); we need moby's exact
// behaviour and our own typed errors, and the line joining below is ~60 lines. The lexing rules
// follow moby/buildkit frontend/dockerfile/parser and instructions/parse.go.
import { DockerfileError } from '@pipeline/core';
import type { ArgInstruction, Dockerfile, Instruction, Stage } from './types.js';
import { logicalLines, readDirectives } from './lines.js';
import { KEYWORDS, parseInstruction } from './instructions.js';
import { closest } from './suggest.js';

/** Parses Dockerfile text into stages of typed instructions; every error names file:line:column. */
export function parseDockerfile(text: string, file: string): Dockerfile {
  const lines = text.split('\n');
  const { directives, first } = readDirectives(lines, file);
  const logical = logicalLines(lines, first, directives.escape);
  const globalArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  for (const line of logical) {
    const m = /^(\S+)(\s*)/.exec(line.text)!;
    const word = m[1];
    const keyword = word.toUpperCase();
    if (!(KEYWORDS as readonly string[]).includes(keyword)) {
      const near = closest(keyword, KEYWORDS);
      throw new DockerfileError(`unknown instruction ${JSON.stringify(word)}`, { file, ...line.pos }, near ? `did you mean ${near}?` : `Expected one of: ${KEYWORDS.join(', ')}`);
    }
    const ins: Instruction = parseInstruction({ file, escape: directives.escape, line, keyword, argsAt: m[0].length }, line.text.slice(m[0].length));
    if (ins.kind === 'FROM') {
      if (ins.as && stages.some((s) => s.name === ins.as)) throw new DockerfileError(`duplicate stage name ${JSON.stringify(ins.as)}`, { file, ...ins.pos }, 'Expected each FROM … AS <name> to be unique');
      stages.push({ index: stages.length, name: ins.as, from: ins, instructions: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) {
      if (ins.kind === 'ARG') {
        globalArgs.push(ins);
        continue;
      }
      throw new DockerfileError(`${ins.kind} before the first FROM`, { file, ...ins.pos }, 'Expected FROM first (only ARG may come before it)');
    }
    if ((ins.kind === 'COPY' || ins.kind === 'ADD') && ins.from && !ins.from.text.includes('$')) {
      const ref = ins.from.text.toLowerCase();
      const later = /^\d+$/.test(ref) && Number(ref) > stage.index;
      if (ref === stage.name || (/^\d+$/.test(ref) && Number(ref) === stage.index)) throw new DockerfileError(`COPY --from=${ins.from.text} refers to its own stage`, { file, ...ins.from.pos }, 'Expected an earlier stage, or an image');
      if (later) throw new DockerfileError(`COPY --from=${ins.from.text} refers to a stage that is not defined before it`, { file, ...ins.from.pos }, 'Expected the index of an earlier stage');
    }
    stage.instructions.push(ins);
  }
  if (!stages.length) throw new DockerfileError(logical.length ? 'no FROM instruction' : 'the Dockerfile is empty', { file, line: 1, column: 1 }, 'Expected at least one FROM <image>');
  // A --from naming a stage that is only defined later is a mistake Docker reports too.
  for (const s of stages) {
    for (const ins of s.instructions) {
      if ((ins.kind === 'COPY' || ins.kind === 'ADD') && ins.from) {
        const ref = ins.from.text.toLowerCase();
        const target = stages.find((x) => x.name === ref);
        if (target && target.index > s.index) throw new DockerfileError(`COPY --from=${ins.from.text} refers to a stage defined later (line ${target.from.pos.line})`, { file, ...ins.from.pos }, 'Expected an earlier stage: move that stage above this one');
      }
    }
  }
  return { file, escape: directives.escape, syntax: directives.syntax, globalArgs, stages };
}
