// A Bitcoin chain's 1.0/1.1 requests, read as Bitcoin Core's JSONRPCRequest::parse reads them, and the
// answers written as its JSONRPCReplyObj writes them (src/rpc/request.cpp), with httprpc.cpp's status.
import { describe, expect, it } from 'vitest';
import { type ParsedItem, parseRequestBody } from '../../src/rpc/jsonrpc.js';
import {
  errorCodeOf,
  legacyErrorResponse,
  legacyErrorStatus,
  legacyResultResponse,
} from '../../src/rpc/legacy-envelope.js';

function bitcoinItem(text: string): ParsedItem {
  const body = parseRequestBody(text, 'bitcoin');
  if (body.kind !== 'single') throw new Error(`expected a single request, got ${body.kind}`);
  return body.item;
}

describe('parsing on a Bitcoin chain', () => {
  it('"jsonrpc" absent, null or "1.0" is a legacy call; "2.0" stays a plain 2.0 call', () => {
    for (const version of ['', '"jsonrpc":null,', '"jsonrpc":"1.0",']) {
      expect(bitcoinItem(`{${version}"id":1,"method":"getblockcount","params":[]}`)).toEqual({
        kind: 'call',
        call: { id: '1', method: 'getblockcount', params: [], paramsRaw: '[]' },
        legacy: true,
      });
    }
    // python-bitcoinlib's "version":"1.1" is not "jsonrpc": legacy as well.
    expect(bitcoinItem('{"version":"1.1","id":1,"method":"m","params":[]}')).toMatchObject({ legacy: true });
    const v2 = bitcoinItem('{"jsonrpc":"2.0","id":1,"method":"getblockcount"}');
    expect(v2).toEqual({
      kind: 'call',
      call: { id: '1', method: 'getblockcount', params: undefined, paramsRaw: undefined },
    });
    expect('legacy' in v2).toBe(false);
  });

  it('keeps ids byte for byte, an id-less legacy call has none (it is answered all the same)', () => {
    expect(bitcoinItem('{"id":12345678901234567890,"method":"m"}')).toMatchObject({
      call: { id: '12345678901234567890' },
    });
    const idless = bitcoinItem('{"method":"getblockcount"}');
    expect(idless).toMatchObject({ kind: 'call', legacy: true });
    expect(idless.kind === 'call' && idless.call.id).toBeUndefined();
  });

  it('params null is no params (Core reads it as []), forwarded without any', () => {
    expect(bitcoinItem('{"id":1,"method":"getblockcount","params":null}')).toEqual({
      kind: 'call',
      call: { id: '1', method: 'getblockcount', params: undefined, paramsRaw: undefined },
      legacy: true,
    });
    expect(bitcoinItem('{"id":1,"method":"getblock","params":{"blockhash":"00"}}')).toMatchObject({
      call: { paramsRaw: '{"blockhash":"00"}' },
    });
  });

  it('refuses what Core refuses, in the legacy envelope, keeping the id', () => {
    const cases: [string, string, string][] = [
      ['{"jsonrpc":"1.1","id":4,"method":"m"}', '4', 'JSON-RPC version not supported'],
      ['{"jsonrpc":1,"id":4,"method":"m"}', '4', 'jsonrpc must be a string'],
      ['{"id":"a","method":""}', '"a"', 'method must be a non-empty string'],
      ['{"id":"a"}', '"a"', 'method must be a non-empty string'],
      ['{"id":"a","method":"m","params":"x"}', '"a"', 'params must be an array or an object'],
      ['{"id":{"x":1},"method":"m"}', 'null', 'id must be a string, number or null'],
    ];
    for (const [text, id, message] of cases) {
      expect(bitcoinItem(text)).toEqual({ kind: 'invalid', id, message, legacy: true });
    }
  });

  it('a batch mixes envelopes element by element', () => {
    const body = parseRequestBody('[{"id":1,"method":"a"},{"jsonrpc":"2.0","id":2,"method":"b"}]', 'bitcoin');
    expect(body.kind === 'batch' && body.items.map((i) => 'legacy' in i)).toEqual([true, false]);
  });

  it('other chains: no "jsonrpc":"2.0" is an invalid 2.0 request, as before', () => {
    const item = parseRequestBody('{"id":7,"method":"m"}');
    expect(item).toEqual({
      kind: 'single',
      item: { kind: 'invalid', id: '7', message: 'jsonrpc must be "2.0"' },
    });
  });
});

describe('legacy answers', () => {
  it('both members, the unused one null, and an id only when the request had one', () => {
    expect(legacyResultResponse('"curltest"', '870000')).toBe(
      '{"result":870000,"error":null,"id":"curltest"}',
    );
    expect(legacyResultResponse(undefined, 'null')).toBe('{"result":null,"error":null}');
    expect(legacyErrorResponse('7', '{"code":-8,"message":"x"}')).toBe(
      '{"result":null,"error":{"code":-8,"message":"x"},"id":7}',
    );
    expect(legacyErrorResponse(undefined, '{"code":-8}')).toBe('{"result":null,"error":{"code":-8}}');
  });

  it("Core's HTTP status for a single error: 400 invalid request, 404 unknown method, else 500", () => {
    expect(legacyErrorStatus(-32600)).toBe(400);
    expect(legacyErrorStatus(-32601)).toBe(404);
    for (const code of [-32700, -32603, -8, -5, -28, -32050, undefined])
      expect(legacyErrorStatus(code)).toBe(500);
  });

  it("reads a raw error's code, and nothing from what is no error object", () => {
    expect(errorCodeOf('{"code":-5,"message":"Block not found"}')).toBe(-5);
    expect(errorCodeOf('{"message":"no code"}')).toBeUndefined();
    expect(errorCodeOf('{"code":"-5"}')).toBeUndefined();
    expect(errorCodeOf('not json')).toBeUndefined();
  });
});
