// Strict decoders for the byte strings clients send (hex for Bitcoin, base64 for Solana and CometBFT):
// anything malformed is undefined, so a transaction id is only ever computed from well-formed bytes.

const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function hexToBytes(text: string): Uint8Array | undefined {
  const body = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text;
  if (!HEX.test(body)) return undefined;
  return new Uint8Array(Buffer.from(body, 'hex'));
}

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Standard base64 with padding (what @solana/kit and CosmJS send); Node's decoder alone would skip junk. */
export function base64ToBytes(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, 'base64'));
}
