// The demo's fault controls: hang, refuse, 429 or slow a region or a provider of the simulated fleet,
// then heal it. Served as demo-only routes (absent outside `switchyard demo`):
//   GET  /demo/faults  the targets, their upstreams and the fault each shows now
//   POST /demo/fault   {"target":"region:aws/us-east-1","fault":"hang"}  (fault: hang|refuse|429|slow|heal)
// POST needs `content-type: application/json`: a page on another origin cannot send that without a
// CORS preflight, which the demo never grants, so no website can break a running demo.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteHook } from '../../routes/hooks.js';
import { readBody, sendJson } from '../../routes/http-util.js';
import type { DomainFilter, Fault, Fleet } from '../simulation/index.js';

const FAULTS = {
  hang: { kind: 'hang' },
  refuse: { kind: 'refuse' },
  '429': { kind: 'throttle', retryAfterSec: 2 },
  slow: { kind: 'slow', extraMs: 300, jitterMs: 50 },
  heal: { kind: 'none' },
} as const satisfies Record<string, Fault>;

export type FaultName = keyof typeof FAULTS;

/** In the order the buttons show (an integer-like key such as '429' would sort first in FAULTS). */
const FAULT_NAMES: readonly FaultName[] = ['hang', 'refuse', '429', 'slow', 'heal'];

interface Target {
  key: string;
  filter: DomainFilter;
}

const MAX_BODY_BYTES = 4096;

export class FaultControls {
  private readonly targets: Target[];
  /** The fault each provider shows now (absent: healthy). */
  private readonly current = new Map<string, Exclude<FaultName, 'heal'>>();

  constructor(private readonly fleet: Fleet) {
    const regions = new Map<string, Target>();
    const providers = new Map<string, Target>();
    for (const { spec } of fleet.providers) {
      const region = `region:${spec.cloud}/${spec.region}`;
      regions.set(region, { key: region, filter: { cloud: spec.cloud, region: spec.region } });
      const provider = `provider:${spec.provider}`;
      providers.set(provider, { key: provider, filter: { provider: spec.provider } });
    }
    this.targets = [...regions.values(), ...providers.values()];
  }

  /** Every target with its upstreams and its fault now ('none', a fault name, or 'mixed'). */
  list() {
    return {
      faults: FAULT_NAMES,
      targets: this.targets.map((t) => {
        const upstreams = this.fleet.byDomain(t.filter).map((p) => p.name);
        const shown = new Set(upstreams.map((name) => this.current.get(name) ?? 'none'));
        return { key: t.key, upstreams, fault: shown.size === 1 ? [...shown][0]! : 'mixed' };
      }),
    };
  }

  /** Applies `fault` to every upstream of `targetKey`; undefined when either is unknown. */
  async apply(targetKey: string, fault: string): Promise<string[] | undefined> {
    const target = this.targets.find((t) => t.key === targetKey);
    if (!target || !Object.hasOwn(FAULTS, fault)) return undefined;
    const name = fault as FaultName;
    const hit = this.fleet.byDomain(target.filter);
    await this.fleet.setFault(target.filter, FAULTS[name]);
    for (const p of hit) {
      if (name === 'heal') this.current.delete(p.name);
      else this.current.set(p.name, name);
    }
    return hit.map((p) => p.name);
  }
}

async function postFault(controls: FaultControls, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const error = (status: number, message: string) =>
    sendJson(res, status, JSON.stringify({ error: message }));
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
    return error(415, 'content-type must be application/json');
  }
  const body = await readBody(req, MAX_BODY_BYTES);
  if (!body.ok) {
    if (body.tooLarge) error(413, 'body too large');
    else res.destroy();
    return;
  }
  let parsed: { target?: unknown; fault?: unknown };
  try {
    parsed = JSON.parse(body.text) as typeof parsed;
  } catch {
    return error(400, 'body is not JSON');
  }
  const hit = await controls.apply(String(parsed.target), String(parsed.fault));
  if (!hit)
    return error(400, `expected {"target": one of GET /demo/faults, "fault": ${FAULT_NAMES.join('|')}}`);
  sendJson(res, 200, JSON.stringify({ target: parsed.target, fault: parsed.fault, upstreams: hit }));
}

export function faultControlRoute(controls: FaultControls): RouteHook {
  return (req, res, path) => {
    if (path === '/demo/faults' && req.method === 'GET') {
      sendJson(res, 200, JSON.stringify(controls.list()), { 'cache-control': 'no-store' });
      return true;
    }
    if (path !== '/demo/fault') return false;
    if (req.method !== 'POST') {
      sendJson(res, 405, JSON.stringify({ error: 'use POST' }));
      return true;
    }
    postFault(controls, req, res).catch(() => res.destroy());
    return true;
  };
}
