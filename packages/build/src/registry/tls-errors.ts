// What a failed TLS connection means and what to do, by the error code Node/OpenSSL gives.
import { cut } from '@pipeline/core';

export interface TlsProblem {
  what: string;
  hint: string;
}

const UNTRUSTED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED']);
const PLAIN = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST']);
const TLS_CODE = /CERT|SELF_SIGNED|TLS|SSL|UNABLE_TO_VERIFY|EPROTO/i;

const CA_SETUP = 'trust its CA: NODE_EXTRA_CA_CERTS=/path/ca.pem (or SSL_CERT_FILE=/path/ca.pem) in the environment; see docs/configuration.md, "Registries over TLS"';

/** The TLS problem behind `code` (the innermost error's code and message), or undefined when it is not one. */
export function tlsProblem(code: string, message: string, registry: string): TlsProblem | undefined {
  if (!TLS_CODE.test(code)) return undefined;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    // Node's message lists the names the certificate does carry: the most useful part.
    return { what: `TLS: hostname mismatch: the certificate does not name ${registry.replace(/:\d+$/, '')} (${cut(message, 160)})`, hint: `connect with a name the certificate lists (openssl x509 -noout -ext subjectAltName -in cert.pem), or reissue it with ${registry.replace(/:\d+$/, '')} in subjectAltName; marking the registry insecure does not skip this check` };
  }
  if (PLAIN.has(code) || /wrong version number|packet length too long|http request/i.test(message)) {
    return { what: 'the server speaks plain HTTP, not HTTPS', hint: `if that is intended (a trusted network only), allow plain HTTP: --insecure-registry ${registry}, PIPELINE_INSECURE=true or registry.insecure: true in pipeline.yml; else check the port` };
  }
  if (UNTRUSTED.has(code)) return { what: `TLS: the registry's certificate is not trusted (${code})`, hint: `${CA_SETUP}; marking the registry insecure only allows plain HTTP, it never skips certificate checks` };
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return { what: `TLS: the registry's certificate is out of its validity period (${code})`, hint: 'renew the certificate (or check this machine\'s clock)' };
  return { what: `TLS: the connection failed (${code})`, hint: CA_SETUP };
}
