/** Image tests, as pipeline.yml's `test:` declares them (the CLI's config types match these shapes). */
export type StructureCheck =
  | { kind: 'file'; path: string; state: 'exists' | 'absent'; contains?: string }
  | { kind: 'command'; argv: string[] }
  | { kind: 'entrypoint'; argv: string[] }
  | { kind: 'env'; env: Record<string, string> }
  | { kind: 'ports'; ports: string[] }
  | { kind: 'user'; user: string }
  | { kind: 'workdir'; path: string }
  | { kind: 'max-size'; bytes: number }
  | { kind: 'label'; label: string; value?: string };

export interface CommandTest {
  run: string | string[];
  expectExit: number;
  expectOutput?: string;
  timeoutMs: number;
}

export interface SmokeTest {
  port: number;
  http?: string;
  expectStatus: number;
  timeoutMs: number;
}

export interface TestResult {
  name: string;
  ok: boolean;
  /** What was found, when it is not what was expected. */
  detail?: string;
}
