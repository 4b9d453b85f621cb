// Upstream URLs carry API keys in paths, queries and userinfo. Only the origin is ever shown.

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const hidden = u.pathname !== '/' || u.search !== '' || u.username !== '' || u.password !== '';
    return `${u.protocol}//${u.host}${hidden ? '/***' : '/'}`;
  } catch {
    return '***';
  }
}

/** Replaces every occurrence of each secret in `text`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('***');
  return out;
}

/** The secret parts of upstream URLs (path, query, userinfo) so log lines can be scrubbed of them. */
export function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    const parts = [u.username, u.password, u.search.slice(1), ...u.pathname.split('/')];
    // Short path segments like "v2" or "rpc" are not secret and would garble logs.
    return parts.map(decodeURIComponent).filter((p) => p.length >= 12);
  } catch {
    return [];
  }
}
