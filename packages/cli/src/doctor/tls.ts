import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { check, why, type Check } from './check.js';

const DAY = 86_400_000;

/** A TLS file a run reads: readable, a PEM of the right kind, a certificate not expired (a warning within 14 days). */
export async function checkTlsFile(t: { file: string; why: string; kind: 'ca' | 'cert' | 'key' }, now = Date.now()): Promise<Check> {
  let pem: string;
  try {
    pem = await readFile(t.file, 'utf8');
  } catch (e) {
    return check('tls', t.file, 'fail', `${t.why}: cannot read it (${(e as NodeJS.ErrnoException).code ?? why(e)})`, { fix: 'check the path and that this user may read it' });
  }
  if (t.kind === 'key') {
    try {
      createPrivateKey(pem);
      return check('tls', t.file, 'ok', `${t.why}: a private key`);
    } catch (e) {
      return check('tls', t.file, 'fail', `${t.why}: not a PEM private key (${why(e)})`, { fix: 'give the key file (-----BEGIN … PRIVATE KEY-----)' });
    }
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (e) {
    return check('tls', t.file, 'fail', `${t.why}: not a PEM certificate (${why(e)})`, { fix: 'give the certificate file (-----BEGIN CERTIFICATE-----)' });
  }
  const ends = Date.parse(cert.validTo);
  const subject = cert.subject.split('\n').join(', ');
  if (ends < now) return check('tls', t.file, 'fail', `${t.why}: certificate ${subject} expired on ${new Date(ends).toISOString().slice(0, 10)}`, { fix: 'renew the certificate' });
  if (ends - now < 14 * DAY) return check('tls', t.file, 'warn', `${t.why}: certificate ${subject} expires on ${new Date(ends).toISOString().slice(0, 10)}`, { fix: 'renew the certificate soon' });
  return check('tls', t.file, 'ok', `${t.why}: certificate ${subject}, valid until ${new Date(ends).toISOString().slice(0, 10)}`);
}
