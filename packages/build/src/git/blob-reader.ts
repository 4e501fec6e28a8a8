/** `git cat-file --batch`: one process answering object requests in order. */
export class BlobReader {
  /** Wrapped: a subprocess is a thenable, and resolving a promise with it would wait for its exit. */
  private readonly child: Promise<{ proc: import('node:child_process').ChildProcess }>;
  private buf: Buffer = Buffer.alloc(0);
  private readonly queue: { resolve: (b: Buffer | undefined) => void; reject: (e: unknown) => void }[] = [];

  constructor(cwd: string, env: NodeJS.ProcessEnv) {
    this.child = import('execa').then(({ execa }) => {
      const c = execa('git', ['cat-file', '--batch'], { cwd, env, extendEnv: false, reject: false, buffer: false, stderr: 'ignore' });
      c.stdout!.on('data', (d: Buffer) => this.onData(d));
      c.on('exit', () => {
        for (const q of this.queue.splice(0)) q.reject(new Error('git cat-file ended'));
      });
      c.catch(() => {});
      return { proc: c as unknown as import('node:child_process').ChildProcess };
    });
  }

  async read(spec: string): Promise<Buffer | undefined> {
    if (/[\n\r]/.test(spec)) return undefined;
    const { proc } = await this.child;
    return new Promise((resolve, reject) => {
      this.queue.push({ resolve, reject });
      proc.stdin!.write(`${spec}\n`);
    });
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl < 0 || !this.queue.length) return;
      const head = this.buf.subarray(0, nl).toString('utf8');
      if (/ missing$| ambiguous$/.test(head)) {
        this.buf = this.buf.subarray(nl + 1);
        this.queue.shift()!.resolve(undefined);
        continue;
      }
      const size = Number(head.split(' ')[2]);
      if (this.buf.length < nl + 1 + size + 1) return;
      const body = Buffer.from(this.buf.subarray(nl + 1, nl + 1 + size));
      this.buf = this.buf.subarray(nl + 1 + size + 1);
      this.queue.shift()!.resolve(head.split(' ')[1] === 'blob' ? body : undefined);
    }
  }

  close(): void {
    void this.child.then(({ proc }) => {
      proc.stdin?.end();
      proc.kill();
    }, () => {});
  }
}
