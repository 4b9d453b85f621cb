// What a route sees of the server: the runtime in use, the observer, the logger and the live figures
// /metrics reads. Routes and gates take this view, never the server itself, so routes/ sits below
// src/server/ and imports nothing of it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../src/log/logger.js';
import type { Observer } from '../src/routing/observer.js';
import type { MetricsSource } from '../src/status/metrics.js';

export interface ServerView extends MetricsSource {
  readonly observer: Observer;
  readonly logger: Logger;
}

/** Extra routes (metrics, dashboard, admin) plug in here; return true when the route was handled. */
export type RouteHook = (
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  server: ServerView,
) => boolean;

/**
 * Runs before a JSON-RPC request is served (API keys, rate limits): answers it itself and returns
 * undefined, or returns the path to route (e.g. with an API key path segment removed).
 */
export type RpcGate = (
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  server: ServerView,
) => string | undefined;
