// A client connection's send guard: notifications and answers go out while the socket's buffer has
// room; past `subscriptions.sendBufferBytes` the client is a slow consumer, nothing more is queued and
// the endpoint closes it (1008). The socket is a stand-in whose buffered amount the test sets.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { parseRequestBody } from '../../src/rpc/jsonrpc.js';
import { ClientConnection, type ConnectionHost } from '../../src/server/ws-connection.js';

class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  sent: string[] = [];
  closedWith: [number, string] | undefined;
  send(text: string) {
    this.sent.push(text);
  }
  close(code: number, reason: string) {
    this.closedWith = [code, reason];
  }
  terminate() {}
}

function host(slow: number[]): ConnectionHost {
  return {
    answer: async (_c, items) => items.map(() => '{"jsonrpc":"2.0","id":1,"result":"0x1"}'),
    subscribe: () => ({ id: '0x1' }),
    unsubscribe: () => true,
    admitFrame: () => true,
    readRequest: (_c, text) => {
      const parsed = parseRequestBody(text);
      return parsed.kind === 'single' || parsed.kind === 'batch'
        ? parsed
        : { kind: 'refused', error: 'PARSE_ERROR', detail: undefined };
    },
    sendBufferBytes: () => 1000,
    maxPerConnection: () => 2,
    slowConsumer: (conn, buffered) => {
      slow.push(buffered);
      conn.close(1008, 'send buffer full: client reads too slowly');
    },
    closed: () => {},
    failed: () => {},
  };
}

describe('ClientConnection send buffer', () => {
  it('sends while the buffer has room, closes a slow consumer once it is full', () => {
    const socket = new FakeSocket();
    const slow: number[] = [];
    const conn = new ClientConnection(socket as unknown as WebSocket, 'ethereum', undefined, host(slow));
    conn.notify('x'.repeat(100));
    expect(socket.sent).toHaveLength(1);
    socket.bufferedAmount = 950;
    conn.notify('y'.repeat(100));
    expect(socket.sent).toHaveLength(1);
    expect(slow).toEqual([950]);
    expect(socket.closedWith).toEqual([1008, 'send buffer full: client reads too slowly']);
    // Closing: nothing more is queued, and the endpoint is not told twice.
    socket.bufferedAmount = 0;
    conn.notify('z');
    expect(socket.sent).toHaveLength(1);
  });

  it('caps subscriptions per connection with SUBSCRIPTION_LIMIT', () => {
    const socket = new FakeSocket();
    const conn = new ClientConnection(socket as unknown as WebSocket, 'ethereum', undefined, host([]));
    let n = 0;
    const h = host([]);
    h.subscribe = () => ({ id: `0x${++n}` });
    const limited = new ClientConnection(socket as unknown as WebSocket, 'ethereum', undefined, h);
    expect(limited.subscribe('newHeads', [])).toEqual({ id: '0x1' });
    expect(limited.subscribe('newHeads', [])).toEqual({ id: '0x2' });
    expect(limited.subscribe('newHeads', [])).toMatchObject({ error: expect.stringContaining('-32058') });
    expect(limited.unsubscribe('0x1')).toBe(true);
    expect(limited.subscribe('newHeads', [])).toEqual({ id: '0x3' });
    expect(conn.unsubscribe('0x9')).toBe(false);
  });
});
