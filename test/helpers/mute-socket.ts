// A WebSocket client that completes the upgrade and then never answers a ping (nor sends a frame): the
// keep-alive tests' dead peer. It reads, so it sees the server end the connection.
import { createConnection } from 'node:net';

/** Opens `path` on the server at `url`; resolves `closed` when the server ends the connection. */
export function openMuteWebSocket(url: string, path: string): { closed: Promise<void> } {
  const socket = createConnection({ host: '127.0.0.1', port: Number(new URL(url).port) });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => {});
  socket.resume();
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  return { closed };
}
