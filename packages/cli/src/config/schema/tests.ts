import type { Ctx } from '../kit.js';
import { fail, int, keys, list, obj, str, strList, strish } from '../kit.js';
import type { Path } from '../source.js';
import type { CommandTest, ImageTests, SmokeTest } from '../types.js';
import { cut, DURATION_EXPECTED, durationMs } from '@pipeline/core';
import { mean } from '../suggest.js';
import { parseStructureCheck } from './structure.js';

/** `test:` – per image: structure checks, commands run in the image, and a smoke test of the running container. */
export function parseTests(ctx: Ctx, raw: unknown, imageNames: string[]): Record<string, ImageTests> {
  if (raw === undefined || raw === null) return {};
  const out: Record<string, ImageTests> = {};
  for (const [name, v] of Object.entries(obj(ctx, ['test'], raw))) {
    const path = ['test', name];
    if (!imageNames.includes(name)) fail(ctx, path, `'${cut(name)}' is not an image of this pipeline${mean(name, imageNames)}; images: ${imageNames.join(', ') || '(none)'}`, { key: true });
    const r = obj(ctx, path, v);
    keys(ctx, path, r, ['structure', 'commands', 'smoke']);
    out[name] = {
      structure: r.structure === undefined ? [] : list(ctx, [...path, 'structure'], r.structure).map((c, i) => ({ ...parseStructureCheck(ctx, [...path, 'structure', i], c), position: ctx.src.pos([...path, 'structure', i]) })),
      commands: r.commands === undefined ? [] : list(ctx, [...path, 'commands'], r.commands).map((c, i) => parseCommand(ctx, [...path, 'commands', i], c)),
      smoke: r.smoke === undefined ? undefined : parseSmoke(ctx, [...path, 'smoke'], r.smoke),
    };
  }
  return out;
}

function duration(ctx: Ctx, path: Path, raw: unknown, dflt: number): number {
  if (raw === undefined) return dflt;
  const text = strish(ctx, path, raw);
  const ms = durationMs(text);
  if (ms === undefined || ms <= 0) fail(ctx, path, `Expected ${DURATION_EXPECTED}, got '${cut(text)}'`);
  return ms;
}

function parseCommand(ctx: Ctx, path: Path, raw: unknown): CommandTest {
  const r = obj(ctx, path, raw);
  keys(ctx, path, r, ['run', 'expect-exit', 'expect-output', 'timeout'], ['run']);
  return {
    run: Array.isArray(r.run) ? strList(ctx, [...path, 'run'], r.run) : str(ctx, [...path, 'run'], r.run, 'a command string or an argv list'),
    expectExit: r['expect-exit'] === undefined ? 0 : int(ctx, [...path, 'expect-exit'], r['expect-exit'], 0, 255),
    expectOutput: r['expect-output'] === undefined ? undefined : strish(ctx, [...path, 'expect-output'], r['expect-output']),
    timeoutMs: duration(ctx, [...path, 'timeout'], r.timeout, 60_000),
    position: ctx.src.pos(path),
  };
}

function parseSmoke(ctx: Ctx, path: Path, raw: unknown): SmokeTest {
  const r = obj(ctx, path, raw);
  keys(ctx, path, r, ['port', 'http', 'expect-status', 'timeout'], ['port']);
  const http = r.http === undefined ? undefined : str(ctx, [...path, 'http'], r.http, 'an HTTP path like /healthz');
  if (http !== undefined && !http.startsWith('/')) fail(ctx, [...path, 'http'], `Expected an HTTP path starting with /, got '${cut(http)}'`);
  return {
    port: int(ctx, [...path, 'port'], r.port, 1, 65535),
    http,
    expectStatus: r['expect-status'] === undefined ? 200 : int(ctx, [...path, 'expect-status'], r['expect-status'], 100, 599),
    timeoutMs: duration(ctx, [...path, 'timeout'], r.timeout, 30_000),
    position: ctx.src.pos(path),
  };
}
