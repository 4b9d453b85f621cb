// POST / and POST /<chain>: JSON-RPC over HTTP. Single and batch; each batch element is its own call
// (its own upstream, retries and failover); notifications are sent on but get no answer element.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OVERLOADED_RETRY_AFTER_S } from '../src/routing/admission.js';
import type { ChainRuntime } from '../src/routing/chain.js';
import { batchResponse } from '../src/rpc/jsonrpc.js';
import type { Runtime } from '../src/runtime/runtime.js';
import { answerItems, answerItemThen, type ItemAnswer } from '../src/stages/call-answers.js';
import type { CallStage } from '../src/stages/call-pipeline.js';
import {
  readVerifyHeader,
  VERIFIED_HEADER,
  VERIFY_HEADER,
  type VerifyMode,
} from '../src/stages/verify/verify-mode.js';
import { sendChainCatalogueError } from './chain-errors.js';
import { answerInternalError, readBodyThen, sendCatalogueError, sendJson } from './http-util.js';
import { drainLimits, refuseOversizeBody } from './oversize-body.js';
import { readRpcRequest } from './rpc-request.js';

const UPSTREAM_HEADER = 'x-switchyard-upstream';

/**
 * Answers one JSON-RPC POST. No promise of its own: the body arrives by callback and a single call
 * costs one promise (its pipeline's) from here to the answer. Failures inside end in INTERNAL.
 */
export function handleRpc(
  runtime: Runtime,
  stages: readonly CallStage[],
  chain: ChainRuntime,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const { server } = runtime.config;
  readBodyThen(req, server.maxBodyBytes, (body) => {
    try {
      if (!body.ok) {
        if (body.tooLarge) {
          const detail = `limit is ${server.maxBodyBytes} bytes`;
          const legacy = chain.family.envelope === 'bitcoin';
          refuseOversizeBody(req, res, detail, drainLimits(server.maxBodyBytes), legacy);
        } else {
          res.destroy();
        }
        return;
      }
      const verify = readVerifyHeader(req.headers[VERIFY_HEADER]);
      if (typeof verify === 'object') return sendCatalogueError(res, 'INVALID_REQUEST', verify.invalid);
      // Read only with tracing on: node:http builds the headers object on first access.
      const traceparent = runtime.config.tracing ? headerText(req.headers.traceparent) : undefined;
      answerBody(runtime, stages, chain, body.text, res, traceparent, verify);
    } catch (err) {
      answerInternalError(runtime.logger, res, err);
    }
  });
}

function answerBody(
  runtime: Runtime,
  stages: readonly CallStage[],
  chain: ChainRuntime,
  text: string,
  res: ServerResponse,
  traceparent: string | undefined,
  verify: VerifyMode | undefined,
) {
  const { server } = runtime.config;
  const parsed = readRpcRequest(text, chain, server.maxBatchSize);
  if (parsed.kind === 'refused')
    return sendChainCatalogueError(res, chain.family.envelope, parsed.error, parsed.detail);
  const deadlineAtMs = Date.now() + server.requestTimeoutMs;
  const context = { runtime, stages, chain, deadlineAtMs, traceparent, verify };
  if (parsed.kind === 'single') {
    answerItemThen(context, parsed.item, (answer) => {
      try {
        answerSingle(res, answer, server);
      } catch (err) {
        answerInternalError(runtime.logger, res, err);
      }
    });
    return;
  }
  answerItems(context, parsed.items).then(
    (answers) => answerBatch(res, answers, server),
    (err: unknown) => answerInternalError(runtime.logger, res, err),
  );
}

function answerBatch(res: ServerResponse, answers: ItemAnswer[], server: Runtime['config']['server']): void {
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
  // Elements refused by admission control: the batch keeps 200, and says when to come back.
  const overloaded = answers.some((a) => a.overloaded);
  if (overloaded) headers['retry-after'] = String(OVERLOADED_RETRY_AFTER_S);
  // Verified elements, in batch order ("; " apart: a verification names its domains with commas).
  const verified = answers.map((a) => a.verified).filter((v): v is string => v !== undefined);
  if (verified.length > 0) headers[VERIFIED_HEADER] = verified.join('; ');
  sendJson(res, 200, batchResponse(parts), headers);
}

/** One call's answer: the batch path without its arrays and sets (most requests are single calls). */
function answerSingle(res: ServerResponse, answer: ItemAnswer, server: Runtime['config']['server']): void {
  if (answer.text === undefined) {
    res.writeHead(
      204,
      server.upstreamHeader && answer.upstream ? { [UPSTREAM_HEADER]: answer.upstream } : {},
    );
    res.end();
    return;
  }
  // Refused by admission control: a 503 a client or a load balancer in front backs off from.
  if (answer.overloaded) {
    sendJson(res, 503, answer.text, { 'retry-after': String(OVERLOADED_RETRY_AFTER_S) });
    return;
  }
  const headers =
    server.upstreamHeader && answer.upstream ? { [UPSTREAM_HEADER]: answer.upstream } : undefined;
  const status = answer.legacyStatus ?? 200;
  if (answer.verified === undefined) sendJson(res, status, answer.text, headers);
  else sendJson(res, status, answer.text, { ...headers, [VERIFIED_HEADER]: answer.verified });
}

/** One header's text (a repeated header: the first). */
export function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
