// Paths and files that are not what they should be: a directory where a file belongs, a file
// where a directory belongs, outputs that cannot be written. Each is exit 2 naming the path.
import * as assert from 'uvu/assert';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostileCase } from '../case.js';

const dockerfile = (dir: string, text = 'FROM scratch\nCOPY Dockerfile /x\n'): string => {
  mkdirSync(join(dir, 'ctx'), { recursive: true });
  writeFileSync(join(dir, 'ctx', 'Dockerfile'), text);
  return join(dir, 'ctx');
};

export const cases: HostileCase[] = [
  {
    name: '.dockerignore is a directory',
    setup: (dir) => {
      const ctx = dockerfile(dir);
      mkdirSync(join(ctx, '.dockerignore'));
      return { args: ['build', ctx, '-o', `oci:${join(dir, 'out')}`] };
    },
    expect: { stderr: /ctx\/\.dockerignore: \.dockerignore is a directory, not a file\n  hint: remove or rename the directory/ },
  },
  {
    name: '<Dockerfile>.dockerignore is a directory',
    setup: (dir) => {
      const ctx = dockerfile(dir);
      mkdirSync(join(ctx, 'Dockerfile.dockerignore'));
      return { args: ['build', ctx, '-o', `oci:${join(dir, 'out')}`] };
    },
    expect: { stderr: /Dockerfile\.dockerignore: \.dockerignore is a directory/ },
  },
  {
    name: 'the context is a file (was ENOTDIR and a stack trace)',
    setup: (dir) => {
      dockerfile(dir);
      writeFileSync(join(dir, 'afile'), 'x');
      return { args: ['build', join(dir, 'afile'), '-f', join(dir, 'ctx', 'Dockerfile'), '-o', `oci:${join(dir, 'out')}`] };
    },
    expect: { stderr: /afile: the build context is a file, not a directory/ },
  },
  {
    name: 'the context does not exist',
    setup: (dir) => ({ args: ['build', '--context', join(dir, 'nowhere'), '-o', `oci:${join(dir, 'out')}`] }),
    expect: { stderr: /nowhere: the build context does not exist/ },
  },
  {
    name: '--file is a directory',
    setup: (dir) => ({ args: ['build', dockerfile(dir), '-f', join(dir, 'ctx'), '-o', `oci:${join(dir, 'out')}`] }),
    expect: { stderr: /ctx: Dockerfile is a directory, not a file/ },
  },
  {
    name: '-o docker-archive: names an existing directory (was EISDIR; its temp file went to the parent)',
    setup: (dir) => {
      mkdirSync(join(dir, 'target'));
      return { args: ['build', dockerfile(dir), '-o', `docker-archive:${join(dir, 'target')}`] };
    },
    expect: { stderr: /--output docker-archive:.*target: .*target is a directory\n  hint: Expected a file path/ },
    after: (dir) => assert.equal(readdirSync(dir).filter((n) => n.includes('.tmp-')), [], 'no temp file beside the target'),
  },
  {
    name: '-o docker-archive: below a file',
    setup: (dir) => {
      writeFileSync(join(dir, 'afile'), 'x');
      return { args: ['build', dockerfile(dir), '-o', `docker-archive:${join(dir, 'afile', 'x.tar')}`] };
    },
    expect: { stderr: /afile is not a directory/ },
  },
  {
    name: '-o oci: names a file',
    setup: (dir) => {
      writeFileSync(join(dir, 'afile'), 'x');
      return { args: ['build', dockerfile(dir), '-o', `oci:${join(dir, 'afile')}`] };
    },
    expect: { stderr: /--output oci:.*afile: .*afile is not a directory/ },
  },
  {
    name: '--cache-dir is a file',
    setup: (dir) => {
      writeFileSync(join(dir, 'afile'), 'x');
      return { args: ['build', dockerfile(dir), '--cache-dir', join(dir, 'afile'), '-o', `oci:${join(dir, 'out')}`] };
    },
    expect: { stderr: /--cache-dir .*afile: .*afile is not a directory/ },
  },
  {
    name: 'pipeline init into a file (was EEXIST and a stack trace)',
    setup: (dir) => {
      writeFileSync(join(dir, 'afile'), 'x');
      return { args: ['init', join(dir, 'afile')] };
    },
    expect: { stderr: /Expected DIR to be a directory: .*afile is not a directory/ },
  },
  {
    name: 'a docker-archive name docker load would refuse',
    setup: (dir) => ({ args: ['build', dockerfile(dir), '-t', 'bad tag!', '-o', `docker-archive:${join(dir, 'out', 'x.tar')}`] }),
    expect: { stderr: /Invalid image reference "bad tag!(:latest)?"/ },
  },
  {
    name: '--config is a directory whose pipeline.yml is a directory',
    setup: (dir) => {
      mkdirSync(join(dir, 'repo', 'pipeline.yml'), { recursive: true });
      return { args: ['plan', '--config', join(dir, 'repo')] };
    },
    expect: { stderr: /pipeline\.yml: pipeline\.yml is a directory, not a file/ },
  },
  {
    name: 'FROM a malformed reference names the Dockerfile position',
    setup: (dir) => ({ args: ['build', dockerfile(dir, 'FROM Bad//x\n'), '-o', `oci:${join(dir, 'out')}`] }),
    expect: { stderr: /Dockerfile:1:6: Invalid image reference "Bad\/\/x"/ },
  },
  {
    name: 'FROM oci: a layout that is not there',
    setup: (dir) => ({ args: ['build', dockerfile(dir, `FROM oci:${join(dir, 'nolayout')}\n`), '-o', `oci:${join(dir, 'out')}`] }),
    expect: { stderr: /nolayout is not an OCI image layout/ },
  },
  {
    name: 'FROM docker-archive: a file that is not a tarball',
    setup: (dir) => {
      writeFileSync(join(dir, 'not.tar'), 'plain text\n'.repeat(100));
      return { args: ['build', dockerfile(dir, `FROM docker-archive:${join(dir, 'not.tar')}\n`), '-o', `oci:${join(dir, 'out')}`] };
    },
    expect: { stderr: /not\.tar is not a readable docker-archive tarball/ },
  },
  {
    name: 'FROM docker-archive: manifest.json that is not JSON',
    setup: async (dir) => {
      const { execFileSync } = await import('node:child_process');
      mkdirSync(join(dir, 'arch'));
      writeFileSync(join(dir, 'arch', 'manifest.json'), '[{"Config": "x", "Layers": [}');
      execFileSync('tar', ['-cf', join(dir, 'bad.tar'), '-C', join(dir, 'arch'), 'manifest.json']);
      return { args: ['build', dockerfile(dir, `FROM docker-archive:${join(dir, 'bad.tar')}\n`), '-o', `oci:${join(dir, 'out')}`] };
    },
    expect: { stderr: /bad\.tar.*manifest\.json/ },
  },
  {
    name: 'FROM oci: index.json that is not JSON',
    setup: (dir) => {
      mkdirSync(join(dir, 'layout', 'blobs', 'sha256'), { recursive: true });
      writeFileSync(join(dir, 'layout', 'oci-layout'), '{"imageLayoutVersion": "1.0.0"}');
      writeFileSync(join(dir, 'layout', 'index.json'), '{"manifests": [');
      return { args: ['build', dockerfile(dir, `FROM oci:${join(dir, 'layout')}\n`), '-o', `oci:${join(dir, 'out')}`] };
    },
    expect: { stderr: /layout.*index\.json/ },
  },
  {
    name: 'a credential helper that is not installed',
    needs: ['registry'],
    setup: async (dir) => {
      const { services } = await import('../../lib/services.js');
      const host = services().registries.basic.host;
      mkdirSync(join(dir, '.docker'));
      writeFileSync(join(dir, '.docker', 'config.json'), JSON.stringify({ credHelpers: { [host]: 'hostile-input-missing' } }));
      return { args: ['build', dockerfile(dir), '--push', '--image', `${host}/hostile-input/helper`, '--tag', 't'] };
    },
    expect: { stderr: /docker-credential-hostile-input-missing is not installed/ },
  },
];

