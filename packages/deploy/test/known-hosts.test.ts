import { createHmac } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fingerprint, knownKeys } from '../src/target/docker/known-hosts.js';

const hashed = (name: string) => {
  const salt = Buffer.from('0123456789abcdef0123');
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
};

test('known_hosts: plain, port-qualified, hashed, wildcard, negated, @revoked and @cert-authority lines', () => {
  const text = [
    '# comment',
    'web1,10.0.0.2 ssh-ed25519 KEY1 comment',
    '[web1]:2222 ssh-ed25519 KEY2',
    `${hashed('web3')} ssh-rsa KEY3`,
    '*.example,!bad.example ssh-ed25519 KEY4',
    '@revoked web1 ssh-ed25519 OLD',
    '@cert-authority *.example ssh-ed25519 CA',
    '',
  ].join('\n');
  assert.equal(knownKeys(text, 'web1'), { keys: ['KEY1'], revoked: ['OLD'] });
  assert.equal(knownKeys(text, '10.0.0.2'), { keys: ['KEY1'], revoked: [] });
  assert.equal(knownKeys(text, 'web1', 2222), { keys: ['KEY2'], revoked: [] });
  assert.equal(knownKeys(text, 'web3'), { keys: ['KEY3'], revoked: [] });
  assert.equal(knownKeys(text, 'a.example'), { keys: ['KEY4'], revoked: [] });
  assert.equal(knownKeys(text, 'bad.example'), { keys: [], revoked: [] });
  assert.equal(knownKeys(text, 'web9'), { keys: [], revoked: [] });
});

test('fingerprint is ssh-keygen -l style', () => {
  const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 2, 1, 2])]);
  assert.match(fingerprint(blob), /^ssh-ed25519 SHA256:[A-Za-z0-9+/]{43}$/);
});

test.run();
