// The JSON-RPC codec and the raw JSON scanner under it: ids, params, results and error objects must
// travel byte-for-byte (big integers, number formats, key order), and every malformed envelope must
// map to the right answer.
import { describe, expect, it } from 'vitest';
import { arrayElements, objectMembers, skipValue, skipWhitespace } from '../../src/rpc/json-raw.js';
import {
  batchResponse,
  errorObject,
  errorResponse,
  type ParsedBody,
  type ParsedItem,
  parseRequestBody,
  parseUpstreamReply,
  type RpcCall,
  resultResponse,
  upstreamRequestBody,
} from '../../src/rpc/jsonrpc.js';

function single(text: string): ParsedItem {
  const body = parseRequestBody(text);
  if (body.kind !== 'single') throw new Error(`expected a single request, got ${body.kind}`);
  return body.item;
}

function call(text: string): RpcCall {
  const item = single(text);
  if (item.kind !== 'call') throw new Error(`expected a call, got invalid: ${item.message}`);
  return item.call;
}

function batch(text: string): ParsedItem[] {
  const body = parseRequestBody(text);
  if (body.kind !== 'batch') throw new Error(`expected a batch, got ${body.kind}`);
  return body.items;
}

function invalid(item: ParsedItem): { id: string; message: string } {
  if (item.kind !== 'invalid') throw new Error('expected an invalid item');
  return { id: item.id, message: item.message };
}

describe('json-raw', () => {
  describe('skipWhitespace', () => {
    it('skips exactly the four JSON whitespace characters', () => {
      expect(skipWhitespace(' \t\r\nx', 0)).toBe(4);
      expect(skipWhitespace('x  ', 0)).toBe(0);
      expect(skipWhitespace('  ', 0)).toBe(2);
      // a non-breaking space is not JSON whitespace
      expect(skipWhitespace('\u00a0x', 0)).toBe(0);
    });
  });

  describe('skipValue', () => {
    it('skips literals up to the next delimiter', () => {
      expect(skipValue('true,', 0)).toBe(4);
      expect(skipValue('null}', 0)).toBe(4);
      expect(skipValue('-1.5e+10]', 0)).toBe(8);
      expect(skipValue('12345678901234567890 ', 0)).toBe(20);
      expect(skipValue('42', 0)).toBe(2);
    });

    it('skips leading whitespace before the value', () => {
      expect(skipValue('   7 ,', 0)).toBe(4);
      expect(skipValue('x: \n "v" ', 2)).toBe(8);
    });

    it('skips strings with escaped quotes and escaped backslashes', () => {
      const text = '"a\\"b",1';
      expect(skipValue(text, 0)).toBe(6);
      expect(text.slice(0, 6)).toBe('"a\\"b"');
      // "\\" is one backslash; the quote after it closes the string
      const text2 = '"\\\\",2';
      expect(skipValue(text2, 0)).toBe(4);
    });

    it('skips nested containers whose strings hold brackets and quotes', () => {
      const value = '{"a":"}]\\"[{","b":[1,{"c":"]"},[[]]],"d":{"e":"{"}}';
      const text = `${value} , "tail"`;
      expect(skipValue(text, 0)).toBe(value.length);
      const arr = '[["]"],{"x":"\\\\"},"[[["]';
      expect(skipValue(`${arr}]`, 0)).toBe(arr.length);
    });

    it('starts at the given position inside a larger text', () => {
      const text = '{"result":[1,[2,3]],"id":9}';
      const start = text.indexOf('[');
      expect(text.slice(start, skipValue(text, start))).toBe('[1,[2,3]]');
    });

    it('throws on unterminated strings and containers, and on a missing value', () => {
      expect(() => skipValue('"abc', 0)).toThrow(SyntaxError);
      expect(() => skipValue('"abc\\"', 0)).toThrow(SyntaxError);
      expect(() => skipValue('{"a":[1,2}', 0)).toThrow(SyntaxError);
      expect(() => skipValue('[[]', 0)).toThrow(SyntaxError);
      expect(() => skipValue(',', 0)).toThrow(SyntaxError);
      expect(() => skipValue('   ', 0)).toThrow(SyntaxError);
    });
  });

  describe('objectMembers', () => {
    it('returns null for anything that is not an object', () => {
      expect(objectMembers('[1]')).toBeNull();
      expect(objectMembers('"{}"')).toBeNull();
      expect(objectMembers('null')).toBeNull();
      expect(objectMembers('  12')).toBeNull();
    });

    it('returns no members for empty objects', () => {
      expect(objectMembers('{}')).toEqual([]);
      expect(objectMembers('  { \n }  ')).toEqual([]);
    });

    it('returns decoded keys and exact value spans in order', () => {
      const text = '{ "a" : 1 , "b\\"c":"x}\\"]" ,"d":{"e":[1,"]"]},"\\u0069d":null }';
      const members = objectMembers(text)!;
      expect(members.map((m) => m.key)).toEqual(['a', 'b"c', 'd', 'id']);
      expect(members.map((m) => text.slice(m.start, m.end))).toEqual([
        '1',
        '"x}\\"]"',
        '{"e":[1,"]"]}',
        'null',
      ]);
    });

    it('keeps duplicate keys (callers choose which wins)', () => {
      const members = objectMembers('{"k":1,"k":2}')!;
      expect(members.map((m) => m.key)).toEqual(['k', 'k']);
    });

    it('reads an object that starts inside a larger text', () => {
      const text = '[0, {"x": [true]}, 2]';
      const start = text.indexOf('{');
      const end = skipValue(text, start);
      const members = objectMembers(text, start, end)!;
      expect(members).toHaveLength(1);
      expect(members[0]!.key).toBe('x');
      expect(text.slice(members[0]!.start, members[0]!.end)).toBe('[true]');
    });

    it('throws on broken objects', () => {
      expect(() => objectMembers('{1:2}')).toThrow('expected key');
      expect(() => objectMembers('{"a" 1}')).toThrow('expected colon');
      expect(() => objectMembers('{"a":1 "b":2}')).toThrow('expected comma');
    });
  });

  describe('arrayElements', () => {
    it('returns null for anything that is not an array', () => {
      expect(arrayElements('{}')).toBeNull();
      expect(arrayElements('"[]"')).toBeNull();
      expect(arrayElements('1')).toBeNull();
    });

    it('returns no elements for empty arrays', () => {
      expect(arrayElements('[]')).toEqual([]);
      expect(arrayElements(' [ \t ] ')).toEqual([]);
    });

    it('returns exact element spans of nested values', () => {
      const text = ' [ 1 , "x]\\"," , [2,[3,"]"]] , {"k":"v}"} ,null,12345678901234567890 ] ';
      const spans = arrayElements(text)!;
      expect(spans.map((s) => text.slice(s.start, s.end))).toEqual([
        '1',
        '"x]\\","',
        '[2,[3,"]"]]',
        '{"k":"v}"}',
        'null',
        '12345678901234567890',
      ]);
    });

    it('throws on a missing comma', () => {
      expect(() => arrayElements('[1 2]')).toThrow('expected comma');
    });
  });
});

describe('parseRequestBody', () => {
  describe('ids come back byte-for-byte', () => {
    const cases: [string, string][] = [
      ['1', '1'],
      ['"abc"', '"abc"'],
      ['12345678901234567890', '12345678901234567890'],
      ['1.0', '1.0'],
      ['-0', '-0'],
      ['1e3', '1e3'],
      ['null', 'null'],
      ['"a\\"b"', '"a\\"b"'],
      ['"\\u00e9"', '"\\u00e9"'],
      ['  \n 42 \t ', '42'],
    ];
    for (const [idText, expected] of cases) {
      it(`id ${JSON.stringify(idText)} -> ${expected}`, () => {
        const c = call(`{"jsonrpc":"2.0","id":${idText},"method":"eth_chainId"}`);
        expect(c.id).toBe(expected);
        expect(c.method).toBe('eth_chainId');
      });
    }

    it('keeps a big id exactly through to the answer', () => {
      const c = call('{"id":12345678901234567890,"jsonrpc":"2.0","method":"eth_blockNumber"}');
      const answer = resultResponse(c.id!, '"0x10"');
      expect(answer).toContain('"id":12345678901234567890,');
      // JSON.parse would lose precision; the text must not
      expect(answer).not.toContain('12345678901234567000');
    });
  });

  it('parses a single call with params and whitespace around everything', () => {
    const text =
      ' \n { "jsonrpc" : "2.0" , "id" : 7 , "method" : "eth_getBalance" , "params" : ["0xab", "latest"] } \n';
    const c = call(text);
    expect(c).toEqual({
      id: '7',
      method: 'eth_getBalance',
      params: ['0xab', 'latest'],
      paramsRaw: '["0xab", "latest"]',
    });
  });

  it('treats a request without an id member as a notification, and id null as a call', () => {
    const n = call('{"jsonrpc":"2.0","method":"eth_subscribe","params":[]}');
    expect(n.id).toBeUndefined();
    const c = call('{"jsonrpc":"2.0","method":"eth_subscribe","id":null}');
    expect(c.id).toBe('null');
  });

  it('leaves paramsRaw undefined when no params were sent', () => {
    const c = call('{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}');
    expect(c.paramsRaw).toBeUndefined();
    expect(c.params).toBeUndefined();
  });

  it('preserves params text exactly: spacing, big numbers, key order, escapes', () => {
    const params = '[ "0x1" , true ,  123456789012345678901234567890 , {"z":1,"a":"\\"]"} ]';
    const c = call(`{"jsonrpc":"2.0","id":1,"method":"eth_call","params":${params}}`);
    expect(c.paramsRaw).toBe(params);
    const objParams = '{ "b" : 1.50, "a" : -0 }';
    const c2 = call(`{"jsonrpc":"2.0","id":1,"method":"m","params":${objParams}}`);
    expect(c2.paramsRaw).toBe(objParams);
    expect(c2.params).toEqual({ b: 1.5, a: -0 });
  });

  it('takes the last of duplicate keys, like JSON.parse', () => {
    const c = call(
      '{"jsonrpc":"2.0","id":1,"method":"a","params":[1],"method":"b","id":"two","params":[ 2 ]}',
    );
    expect(c.id).toBe('"two"');
    expect(c.method).toBe('b');
    expect(c.paramsRaw).toBe('[ 2 ]');
    expect(c.params).toEqual([2]);
  });

  it('judges a duplicated id by its last occurrence', () => {
    expect(invalid(single('{"jsonrpc":"2.0","id":1,"method":"m","id":{}}')).id).toBe('null');
    expect(call('{"jsonrpc":"2.0","id":{},"method":"m","id":3}').id).toBe('3');
  });

  describe('parse errors', () => {
    const bodies = ['', '{', '{"jsonrpc":"2.0",}', '[1,]', 'nul', '{} x', "{'a':1}", '[{"id":1]'];
    for (const body of bodies) {
      it(`${JSON.stringify(body)} -> parse_error`, () => {
        const parsed = parseRequestBody(body);
        expect(parsed.kind).toBe('parse_error');
        expect((parsed as Extract<ParsedBody, { kind: 'parse_error' }>).message.length).toBeGreaterThan(0);
      });
    }
  });

  it('reports an empty batch', () => {
    expect(parseRequestBody('[]')).toEqual({ kind: 'empty_batch' });
    expect(parseRequestBody(' [ \n ] ')).toEqual({ kind: 'empty_batch' });
  });

  describe('invalid requests', () => {
    it('rejects a single non-object body with id null', () => {
      for (const body of ['1', '"x"', 'null', 'true']) {
        expect(invalid(single(body))).toEqual({ id: 'null', message: 'request must be a JSON object' });
      }
    });

    it('keeps the id when jsonrpc is missing or wrong', () => {
      expect(invalid(single('{"id":7,"method":"m"}'))).toEqual({ id: '7', message: 'jsonrpc must be "2.0"' });
      expect(invalid(single('{"jsonrpc":"1.0","id":"x","method":"m"}')).id).toBe('"x"');
      expect(invalid(single('{"jsonrpc":2.0,"id":8,"method":"m"}')).id).toBe('8');
      expect(invalid(single('{"jsonrpc":"2.0 ","id":8,"method":"m"}')).message).toBe('jsonrpc must be "2.0"');
    });

    it('rejects a method that is not a non-empty string', () => {
      for (const method of ['5', '""', 'null', '["m"]', '{}']) {
        const item = invalid(single(`{"jsonrpc":"2.0","id":12345678901234567890,"method":${method}}`));
        expect(item).toEqual({ id: '12345678901234567890', message: 'method must be a non-empty string' });
      }
      expect(invalid(single('{"jsonrpc":"2.0","id":1}')).message).toBe('method must be a non-empty string');
    });

    it('rejects params that are not an array or object', () => {
      for (const params of ['"0x1"', '1', 'true', 'null']) {
        const item = invalid(single(`{"jsonrpc":"2.0","id":"p","method":"m","params":${params}}`));
        expect(item).toEqual({ id: '"p"', message: 'params must be an array or an object' });
      }
    });

    it('answers with id null when the id itself is invalid', () => {
      for (const id of ['{}', '{"a":1}', 'true', 'false', '[1]']) {
        const item = invalid(single(`{"jsonrpc":"2.0","id":${id},"method":"m"}`));
        expect(item).toEqual({ id: 'null', message: 'id must be a string, number or null' });
      }
    });

    it('keeps a notification without id as id null when the request is invalid', () => {
      expect(invalid(single('{"jsonrpc":"1.0","method":"m"}')).id).toBe('null');
    });
  });

  it('parses a batch item by item, keeping ids, notifications and invalid items in order', () => {
    const items = batch(
      '[ {"jsonrpc":"2.0","id":1,"method":"a","params":[ 1 ]},\n' +
        '  {"jsonrpc":"2.0","method":"notify"} ,\n' +
        '  5, [], null,\n' +
        '  {"jsonrpc":"2.0","id":"x","method":""},\n' +
        '  {"jsonrpc":"2.0","id":true,"method":"b"},\n' +
        '  {"jsonrpc":"2.0","id":98765432109876543210,"method":"c"} ]',
    );
    expect(items).toHaveLength(8);
    expect(items[0]).toEqual({
      kind: 'call',
      call: { id: '1', method: 'a', params: [1], paramsRaw: '[ 1 ]' },
    });
    expect(items[1]).toEqual({
      kind: 'call',
      call: { id: undefined, method: 'notify', params: undefined, paramsRaw: undefined },
    });
    for (const i of [2, 3, 4])
      expect(invalid(items[i]!)).toEqual({ id: 'null', message: 'request must be a JSON object' });
    expect(invalid(items[5]!)).toEqual({ id: '"x"', message: 'method must be a non-empty string' });
    expect(invalid(items[6]!).id).toBe('null');
    const last = items[7]!;
    expect(last.kind === 'call' && last.call.id).toBe('98765432109876543210');
  });

  it('a batch of one is still a batch', () => {
    expect(batch('[{"jsonrpc":"2.0","id":1,"method":"a"}]')).toHaveLength(1);
  });
});

describe('upstreamRequestBody', () => {
  it('writes our id, the method and the raw params exactly', () => {
    const c = call(
      '{"jsonrpc":"2.0","id":"client","method":"eth_call","params":[ "0x1" , true, 99999999999999999999 ]}',
    );
    const body = upstreamRequestBody(c, 42);
    expect(body).toBe(
      '{"jsonrpc":"2.0","id":42,"method":"eth_call","params":[ "0x1" , true, 99999999999999999999 ]}',
    );
    expect(JSON.parse(body).id).toBe(42);
  });

  it('omits params when the client sent none', () => {
    const body = upstreamRequestBody(
      { id: '1', method: 'eth_chainId', params: undefined, paramsRaw: undefined },
      3,
    );
    expect(body).toBe('{"jsonrpc":"2.0","id":3,"method":"eth_chainId"}');
    expect(JSON.parse(body)).not.toHaveProperty('params');
  });

  it('escapes the method name', () => {
    const body = upstreamRequestBody({ id: '1', method: 'a"b\\c', params: {}, paramsRaw: '{}' }, 1);
    expect(JSON.parse(body)).toEqual({ jsonrpc: '2.0', id: 1, method: 'a"b\\c', params: {} });
  });
});

describe('parseUpstreamReply', () => {
  it('keeps the result raw byte-for-byte, with big numbers and key order', () => {
    const result = '{ "z" : 1, "a":123456789012345678901234567890,"m":[1.10, "x\\"}"] }';
    const reply = parseUpstreamReply(`{"jsonrpc":"2.0","id":1,"result":${result}}`);
    expect(reply.kind).toBe('result');
    if (reply.kind !== 'result') return;
    expect(reply.raw).toBe(result);
    expect(Object.keys(reply.value as object)).toEqual(['z', 'a', 'm']);
  });

  it('accepts result null and results before the id', () => {
    expect(parseUpstreamReply('{"jsonrpc":"2.0","id":1,"result":null}')).toEqual({
      kind: 'result',
      raw: 'null',
      value: null,
    });
    expect(parseUpstreamReply(' {"result" :  "0x1"  ,"id":1,"jsonrpc":"2.0"} ')).toEqual({
      kind: 'result',
      raw: '"0x1"',
      value: '0x1',
    });
  });

  it('reads an error with code, message and data, keeping its raw text', () => {
    const error = '{"code":3, "message":"execution reverted","data":"0x08c379a0"}';
    const reply = parseUpstreamReply(`{"jsonrpc":"2.0","id":1,"error":${error}}`);
    expect(reply).toEqual({
      kind: 'error',
      raw: error,
      code: 3,
      message: 'execution reverted',
      data: '0x08c379a0',
    });
  });

  it('keeps error data raw even when it holds big numbers', () => {
    const error = '{"code":-32000,"message":"x","data":{"n":123456789012345678901234567890}}';
    const reply = parseUpstreamReply(`{"id":1,"error":${error},"jsonrpc":"2.0"}`);
    expect(reply.kind === 'error' && reply.raw).toBe(error);
  });

  it('tolerates errors without a numeric code or a string message', () => {
    const reply = parseUpstreamReply('{"jsonrpc":"2.0","id":1,"error":{"code":"oops","message":5}}');
    expect(reply).toMatchObject({ kind: 'error', code: undefined, message: '', data: undefined });
  });

  it('treats error: null beside a result as a result', () => {
    expect(parseUpstreamReply('{"jsonrpc":"2.0","id":1,"error":null,"result":"0x2"}')).toMatchObject({
      kind: 'result',
      raw: '"0x2"',
    });
    expect(parseUpstreamReply('{"jsonrpc":"2.0","id":1,"result":"0x2","error":null}')).toMatchObject({
      kind: 'result',
    });
  });

  it('prefers a real error over a result', () => {
    const reply = parseUpstreamReply(
      '{"jsonrpc":"2.0","id":1,"result":"0x2","error":{"code":-32603,"message":"m"}}',
    );
    expect(reply).toMatchObject({ kind: 'error', code: -32603 });
  });

  it('uses the last of duplicate result keys', () => {
    expect(parseUpstreamReply('{"result":1,"result":[2]}')).toEqual({
      kind: 'result',
      raw: '[2]',
      value: [2],
    });
  });

  describe('malformed replies', () => {
    const cases: [string, string][] = [
      ['', 'empty body'],
      ['<html>502 Bad Gateway</html>', 'body is not JSON'],
      ['{"jsonrpc":"2.0","id":1,"result":"0x', 'body is not JSON'],
      ['{"jsonrpc":"2.0","id":1,"result":{"a":1}', 'body is not JSON'],
      ['[{"jsonrpc":"2.0","id":1,"result":"0x1"}]', 'reply is not a JSON-RPC object'],
      ['"0x1"', 'reply is not a JSON-RPC object'],
      ['null', 'reply is not a JSON-RPC object'],
      ['{"jsonrpc":"2.0","id":1}', 'reply has neither result nor error'],
      ['{"jsonrpc":"2.0","id":1,"error":null}', 'reply has neither result nor error'],
      ['{"jsonrpc":"2.0","id":1,"error":"boom"}', 'error is not an object'],
      ['{"jsonrpc":"2.0","id":1,"error":-32000,"result":"0x1"}', 'error is not an object'],
    ];
    for (const [text, reason] of cases) {
      it(`${JSON.stringify(text).slice(0, 60)} -> ${reason}`, () => {
        expect(parseUpstreamReply(text)).toEqual({ kind: 'malformed', reason });
      });
    }
  });
});

describe('answers', () => {
  it('resultResponse writes a valid envelope around raw id and result', () => {
    const text = resultResponse('"a\\"b"', '{"b":1,"a":[2]}');
    expect(JSON.parse(text)).toEqual({ jsonrpc: '2.0', id: 'a"b', result: { b: 1, a: [2] } });
    expect(text).toBe('{"jsonrpc":"2.0","id":"a\\"b","result":{"b":1,"a":[2]}}');
  });

  it('errorResponse writes a valid envelope around a raw error', () => {
    const text = errorResponse('null', errorObject(-32700, 'Parse error'));
    expect(JSON.parse(text)).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700, message: 'Parse error' },
    });
  });

  it('errorObject escapes the message and serialises data only when given', () => {
    expect(errorObject(-32600, 'bad "request"\n')).toBe('{"code":-32600,"message":"bad \\"request\\"\\n"}');
    expect(JSON.parse(errorObject(-32603, 'x', { retryAfterMs: 100, why: ['a'] }))).toEqual({
      code: -32603,
      message: 'x',
      data: { retryAfterMs: 100, why: ['a'] },
    });
    expect(JSON.parse(errorObject(1, 'x', null))).toEqual({ code: 1, message: 'x', data: null });
    expect(JSON.parse(errorObject(1, 'x'))).not.toHaveProperty('data');
  });

  it('batchResponse joins parts into a valid JSON array', () => {
    const parts = [
      resultResponse('1', '"0x1"'),
      errorResponse('"b"', errorObject(-32601, 'Method not found')),
    ];
    expect(JSON.parse(batchResponse(parts))).toEqual([
      { jsonrpc: '2.0', id: 1, result: '0x1' },
      { jsonrpc: '2.0', id: 'b', error: { code: -32601, message: 'Method not found' } },
    ]);
    expect(batchResponse([])).toBe('[]');
  });

  it('round-trips a parsed batch to answers with the original ids', () => {
    const items = batch('[{"jsonrpc":"2.0","id":-0,"method":"a"},{"jsonrpc":"2.0","id":1.0,"method":"b"}]');
    const parts = items.map((item) => (item.kind === 'call' ? resultResponse(item.call.id!, 'true') : ''));
    expect(batchResponse(parts)).toBe(
      '[{"jsonrpc":"2.0","id":-0,"result":true},{"jsonrpc":"2.0","id":1.0,"result":true}]',
    );
  });
});

describe('error member that is not an object', () => {
  it('treats an array error as malformed', () => {
    expect(parseUpstreamReply('{"jsonrpc":"2.0","id":1,"error":[1,2]}')).toEqual({
      kind: 'malformed',
      reason: 'error is not an object',
    });
  });
});
