// HTTP basic auth as an API key carrier: bitcoin-cli (`-rpcpassword`) and most Bitcoin libraries can
// only authenticate this way, so the password of `Authorization: Basic base64(user:password)` is read
// as a Switchyard API key (any user name). Only consulted when keys are configured and the request
// carries no key in its path or `x-api-key`; the header is never forwarded, logged or echoed.

/** WWW-Authenticate for a refused basic-auth key (RFC 7617), so the client knows which scheme failed. */
export const BASIC_CHALLENGE = 'Basic realm="switchyard", charset="UTF-8"';

/** The password of a Basic `authorization` header value; undefined for any other scheme or an empty one. */
export function basicAuthPassword(header: string | undefined): string | undefined {
  if (header === undefined || header.length < 7) return undefined;
  // The scheme name is case-insensitive (RFC 7235).
  if (header.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const password = decoded.slice(colon + 1);
  return password.length > 0 ? password : undefined;
}
