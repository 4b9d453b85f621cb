// `x-switchyard-verify: quorum | proof | off`: a request's own verification, over the chain's policy
// (HTTP per request; WebSocket per connection, from the upgrade request).

export type VerifyMode = 'quorum' | 'proof' | 'off';

export const VERIFY_HEADER = 'x-switchyard-verify';
/** What a verified answer carries: `quorum 2/2 cloud=aws,gcp` or `proof block=0x…`. */
export const VERIFIED_HEADER = 'x-switchyard-verified';

const MODES: readonly VerifyMode[] = ['quorum', 'proof', 'off'];

/** The header's mode; undefined when absent; 'invalid' (with the reason) for anything else. */
export function readVerifyHeader(
  value: string | string[] | undefined,
): VerifyMode | undefined | { invalid: string } {
  if (value === undefined) return undefined;
  const text = (Array.isArray(value) ? value.join(',') : value).trim().toLowerCase();
  if ((MODES as readonly string[]).includes(text)) return text as VerifyMode;
  return { invalid: `${VERIFY_HEADER}: expected quorum, proof or off` };
}
