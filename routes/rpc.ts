// POST / and POST /<chain>: JSON-RPC over HTTP. Single and batch; each batch element is its own call
// (its own upstream, retries and failover); notifications are sent on but get no answer element.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type CallStage, runPipeline } from '../src/call-pipeline.js';
import type { ChainRuntime } from '../src/chain.js';
import type { CallAnswer } from '../src/dispatcher.js';
import { catalogueError } from '../src/errors.js';
import { readBody, sendCatalogueError, sendJson } from '../src/http-util.js';
import {
  batchResponse,
  errorResponse,
  type ParsedItem,
  parseRequestBody,
  resultResponse,
} from '../src/jsonrpc.js';
import type { Runtime } from '../src/runtime.js';

const UPSTREAM_HEADER = 'x-switchyard-upstream';

interface ItemAnswer {
  /** The response element, or undefined for a notification. */
  text: string | undefined;
  upstream: string | undefined;
}

async function answerItem(
  runtime: Runtime,
  stages: readonly CallStage[],
  chain: ChainRuntime,
  item: ParsedItem,
  deadlineAtMs: number,
): Promise<ItemAnswer> {
  if (item.kind === 'invalid') {
    return {
      text: errorResponse(item.id, catalogueError('INVALID_REQUEST', item.message)),
      upstream: undefined,
    };
  }
  const { call } = item;
  let answer: CallAnswer;
  try {
    answer = await runPipeline(stages, { runtime, chain, call, deadlineAtMs });
  } catch (err) {
    runtime.logger.error('call failed inside the balancer', {
      method: call.method.slice(0, 64),
      error: String(err),
    });
    answer = { kind: 'error', raw: catalogueError('INTERNAL'), upstream: undefined };
  }
  if (call.id === undefined) return { text: undefined, upstream: answer.upstream };
  const text =
    answer.kind === 'result' ? resultResponse(call.id, answer.raw) : errorResponse(call.id, answer.raw);
  return { text, upstream: answer.upstream };
}

export async function handleRpc(
  runtime: Runtime,
  stages: readonly CallStage[],
  chain: ChainRuntime,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { server } = runtime.config;
  const body = await readBody(req, server.maxBodyBytes);
  if (!body.ok) {
    if (body.tooLarge) {
      res.setHeader('connection', 'close');
      sendCatalogueError(res, 'BODY_TOO_LARGE', `limit is ${server.maxBodyBytes} bytes`);
    } else {
      res.destroy();
    }
    return;
  }
  const parsed = parseRequestBody(body.text);
  if (parsed.kind === 'parse_error') return sendCatalogueError(res, 'PARSE_ERROR');
  if (parsed.kind === 'empty_batch') return sendCatalogueError(res, 'EMPTY_BATCH');
  if (parsed.kind === 'batch' && parsed.items.length > server.maxBatchSize) {
    return sendCatalogueError(res, 'BATCH_TOO_LARGE', `limit is ${server.maxBatchSize} calls`);
  }
  const deadlineAtMs = Date.now() + server.requestTimeoutMs;
  const items = parsed.kind === 'single' ? [parsed.item] : parsed.items;
  const answers = await Promise.all(
    items.map((item) => answerItem(runtime, stages, chain, item, deadlineAtMs)),
  );
  const headers: Record<string, string> = {};
  if (server.upstreamHeader) {
    const names = [...new Set(answers.map((a) => a.upstream).filter((n): n is string => n !== undefined))];
    if (names.length > 0) headers[UPSTREAM_HEADER] = names.join(',');
  }
  const parts = answers.map((a) => a.text).filter((t): t is string => t !== undefined);
  if (parts.length === 0) {
    // Only notifications: JSON-RPC says answer nothing at all.
    res.writeHead(204, headers);
    res.end();
    return;
  }
  sendJson(res, 200, parsed.kind === 'single' ? parts[0]! : batchResponse(parts), headers);
}
