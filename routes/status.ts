// GET /status: JSON state of every chain, failure domain and upstream (format in README.md, "Status JSON").
import type { ServerResponse } from 'node:http';
import { sendJson } from '../src/http-util.js';
import type { Runtime } from '../src/runtime.js';
import { type StatusSource, statusDocument } from '../src/status-model.js';

export function handleStatus(
  source: StatusSource,
  runtime: Runtime,
  res: ServerResponse,
  version: string,
): void {
  sendJson(res, 200, JSON.stringify(statusDocument(runtime, source, version)), {
    'cache-control': 'no-store',
  });
}
