// Dockerfile text → AST for the lint tests. Uses the real parser once src/dockerfile/index.ts exists;
// until then a small stand-in that understands the one-line instructions these tests use.
import type { Dockerfile, Instruction, Stage, Word, Command, ArgInstruction, FromInstruction } from '../../src/dockerfile/types.js';

type Parse = (text: string, file: string) => Dockerfile;
const real = await import(['..', '..', 'src', 'dockerfile', 'index.js'].join('/')).then((m: { parseDockerfile?: Parse }) => m.parseDockerfile).catch(() => undefined);

export const parserInUse = real ? 'parseDockerfile' : 'stand-in';

export function parse(text: string, file = 'Dockerfile'): Dockerfile {
  return real ? real(text, file) : standIn(text, file);
}

function words(line: string, from: number, lineNo: number): Word[] {
  const out: Word[] = [];
  const re = /"[^"]*"|'[^']*'|\S+/g;
  re.lastIndex = from;
  for (let m; (m = re.exec(line)); ) out.push({ text: m[0], pos: { line: lineNo, column: m.index + 1 } });
  return out;
}

function command(rest: string): Command {
  const t = rest.trim();
  if (t.startsWith('[')) {
    try {
      return { form: 'exec', argv: JSON.parse(t) };
    } catch {
      /* not JSON: shell form, as Docker does */
    }
  }
  return { form: 'shell', script: t };
}

const unquote = (s: string) => s.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');

function standIn(text: string, file: string): Dockerfile {
  const globalArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    let line = lines[n];
    while (line.endsWith('\\') && n + 1 < lines.length) line = line.slice(0, -1) + '\n' + lines[++n];
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const m = /^(\s*)(\w+)\s*/.exec(line)!;
    const kind = m[2].toUpperCase();
    const pos = { line: lineNo, column: m[1].length + 1 };
    const ws = words(line, m[0].length, lineNo);
    const flags = ws.filter((w) => w.text.startsWith('--'));
    const args = ws.filter((w) => !w.text.startsWith('--'));
    const flag = (name: string): Word | undefined => {
      const f = flags.find((w) => w.text.startsWith(`--${name}=`));
      return f && { text: f.text.slice(name.length + 3), pos: f.pos };
    };
    const rest = line.slice(m[0].length).replace(/^(--\S+\s+)*/, '');
    const base = { pos, raw: line };
    let ins: Instruction;
    switch (kind) {
      case 'FROM': {
        const from: FromInstruction = { kind, ...base, image: args[0], platform: flag('platform'), as: args[2]?.text.toLowerCase() };
        stages.push({ index: stages.length, name: from.as, from, instructions: [] });
        continue;
      }
      case 'RUN':
        ins = { kind, ...base, command: command(rest), flags: flags.map((f) => ({ name: f.text.slice(2).split('=')[0], value: { text: f.text.split('=').slice(1).join('='), pos: f.pos } })) };
        break;
      case 'CMD':
      case 'ENTRYPOINT':
        ins = { kind, ...base, command: command(rest) };
        break;
      case 'ENV':
        ins = { kind, ...base, pairs: args[0].text.includes('=') ? args.map((w) => ({ key: w.text.split('=')[0], value: { text: unquote(w.text.slice(w.text.indexOf('=') + 1)), pos: w.pos } })) : [{ key: args[0].text, value: { text: rest.slice(args[0].text.length).trim(), pos: args[1].pos } }] };
        break;
      case 'ARG':
        ins = { kind, ...base, args: args.map((w) => ({ name: w.text.split('=')[0], value: w.text.includes('=') ? { text: unquote(w.text.slice(w.text.indexOf('=') + 1)), pos: w.pos } : undefined })) };
        if (!stages.length) {
          globalArgs.push(ins);
          continue;
        }
        break;
      case 'LABEL':
        ins = { kind, ...base, pairs: args.map((w) => ({ key: { text: w.text.split('=')[0], pos: w.pos }, value: { text: unquote(w.text.slice(w.text.indexOf('=') + 1)), pos: w.pos } })) };
        break;
      case 'COPY':
      case 'ADD':
        ins = { kind, ...base, sources: args.slice(0, -1), dest: args[args.length - 1], from: flag('from'), chown: flag('chown'), checksum: flag('checksum'), keepGitDir: flags.some((f) => f.text.startsWith('--keep-git-dir')) || undefined };
        break;
      case 'USER':
        ins = { kind, ...base, user: args[0] };
        break;
      case 'WORKDIR':
        ins = { kind, ...base, path: args[0] };
        break;
      case 'MAINTAINER':
        ins = { kind, ...base, name: rest.trim() };
        break;
      case 'EXPOSE':
        ins = { kind, ...base, ports: args };
        break;
      default:
        throw new Error(`stand-in parser: ${kind} is not supported (line ${lineNo})`);
    }
    stages[stages.length - 1].instructions.push(ins);
  }
  return { file, escape: '\\', globalArgs, stages };
}
