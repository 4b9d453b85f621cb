// agave's PubSub requests read into what a Solana feed watches: the kind, the parameters that make two
// subscriptions identical (they share one upstream feed), and the config the HTTP re-reads use.
// Unknown or malformed parameters are refused with -32602, as agave refuses them.
import { base58Decode } from '../../families/base58.js';

export type SolanaKind = 'slot' | 'root' | 'signature' | 'account' | 'program' | 'logs';
export type Commitment = 'processed' | 'confirmed' | 'finalized';

export const SUBSCRIBE_METHODS: Readonly<Record<string, SolanaKind>> = {
  slotSubscribe: 'slot',
  rootSubscribe: 'root',
  signatureSubscribe: 'signature',
  accountSubscribe: 'account',
  programSubscribe: 'program',
  logsSubscribe: 'logs',
};

export const UNSUBSCRIBE_METHODS: Readonly<Record<string, SolanaKind>> = {
  slotUnsubscribe: 'slot',
  rootUnsubscribe: 'root',
  signatureUnsubscribe: 'signature',
  accountUnsubscribe: 'account',
  programUnsubscribe: 'program',
  logsUnsubscribe: 'logs',
};

export const NOTIFICATION_METHODS: Readonly<Record<SolanaKind, string>> = {
  slot: 'slotNotification',
  root: 'rootNotification',
  signature: 'signatureNotification',
  account: 'accountNotification',
  program: 'programNotification',
  logs: 'logsNotification',
};

export interface WatchSpec {
  readonly kind: SolanaKind;
  /** Identical subscriptions (same kind and normalized params) share one watch and one upstream feed. */
  readonly key: string;
  /** The subscribe method and params sent upstream. */
  readonly method: string;
  readonly params: readonly unknown[];
  readonly commitment: Commitment;
  /** The account, program or signature watched. */
  readonly target: string;
  /** Account and program reads: encoding, dataSlice, filters as the client gave them. */
  readonly readConfig: Readonly<Record<string, unknown>>;
  /** signatureSubscribe with enableReceivedNotification. */
  readonly received: boolean;
  /** logsSubscribe: the one address of `mentions`, or undefined for all. */
  readonly mentions: string | undefined;
  /** logsSubscribe "allWithVotes" (vote transactions included). */
  readonly withVotes: boolean;
}

type Read = { ok: true; spec: WatchSpec } | { ok: false; message: string };

const COMMITMENTS: Readonly<Record<string, Commitment>> = {
  processed: 'processed',
  confirmed: 'confirmed',
  finalized: 'finalized',
  // agave still accepts the deprecated names.
  recent: 'processed',
  single: 'confirmed',
  singleGossip: 'confirmed',
  root: 'finalized',
  max: 'finalized',
};
const ENCODINGS = new Set(['base58', 'base64', 'base64+zstd', 'jsonParsed', 'binary']);
/** agave's MAX_GET_PROGRAM_ACCOUNT_FILTERS. */
const MAX_FILTERS = 4;

function isBytes(value: unknown, length: number): value is string {
  return typeof value === 'string' && value.length <= 100 && base58Decode(value)?.length === length;
}

function configAt(params: readonly unknown[], index: number): Record<string, unknown> | string {
  const c = params[index];
  if (c === undefined || c === null) return {};
  if (typeof c !== 'object' || Array.isArray(c)) return 'config must be an object';
  return c as Record<string, unknown>;
}

function commitmentOf(c: Record<string, unknown>): Commitment | undefined {
  if (c.commitment === undefined) return 'finalized'; // agave's default
  return typeof c.commitment === 'string' ? COMMITMENTS[c.commitment] : undefined;
}

function readConfigOf(c: Record<string, unknown>, withFilters: boolean): Record<string, unknown> | string {
  const out: Record<string, unknown> = {};
  if (c.encoding !== undefined) {
    if (typeof c.encoding !== 'string' || !ENCODINGS.has(c.encoding)) return 'unknown encoding';
    out.encoding = c.encoding;
  }
  if (c.dataSlice !== undefined) {
    const d = c.dataSlice as { offset?: unknown; length?: unknown } | null;
    if (typeof d?.offset !== 'number' || typeof d.length !== 'number')
      return 'dataSlice needs offset and length';
    out.dataSlice = { offset: d.offset, length: d.length };
  }
  if (withFilters && c.filters !== undefined) {
    if (!Array.isArray(c.filters) || c.filters.length > MAX_FILTERS)
      return `filters: an array of at most ${MAX_FILTERS}`;
    out.filters = c.filters;
  }
  return out;
}

function spec(
  kind: SolanaKind,
  method: string,
  params: unknown[],
  commitment: Commitment,
  more: Partial<WatchSpec> = {},
): Read {
  const full: WatchSpec = {
    kind,
    key: `${kind}:${JSON.stringify(params)}`,
    method,
    params,
    commitment,
    target: '',
    readConfig: {},
    received: false,
    mentions: undefined,
    withVotes: false,
    ...more,
  };
  return { ok: true, spec: full };
}

/** The watch for one subscribe call, or why its params are refused. */
export function readSubscribe(method: string, raw: unknown): Read {
  const kind = SUBSCRIBE_METHODS[method];
  if (!kind) return { ok: false, message: `unknown method ${method.slice(0, 40)}` };
  const params: readonly unknown[] = Array.isArray(raw)
    ? raw
    : raw === undefined || raw === null
      ? []
      : [raw];
  if (kind === 'slot' || kind === 'root') return spec(kind, method, [], 'processed');
  const c = configAt(params, 1);
  if (typeof c === 'string') return { ok: false, message: c };
  const commitment = commitmentOf(c);
  if (!commitment) return { ok: false, message: 'unknown commitment' };
  switch (kind) {
    case 'signature': {
      if (!isBytes(params[0], 64)) return { ok: false, message: 'expected a base58 signature' };
      const received = c.enableReceivedNotification === true;
      const upstream = { commitment, enableReceivedNotification: received };
      return spec(kind, method, [params[0], upstream], commitment, { target: params[0], received });
    }
    case 'account':
    case 'program': {
      if (!isBytes(params[0], 32)) return { ok: false, message: 'expected a base58 public key' };
      const read = readConfigOf(c, kind === 'program');
      if (typeof read === 'string') return { ok: false, message: read };
      return spec(kind, method, [params[0], { ...read, commitment }], commitment, {
        target: params[0],
        readConfig: read,
      });
    }
    case 'logs': {
      const filter = params[0];
      if (filter === 'all' || filter === 'allWithVotes')
        return spec(kind, method, [filter, { commitment }], commitment, {
          withVotes: filter === 'allWithVotes',
        });
      const mentions = (filter as { mentions?: unknown } | null)?.mentions;
      if (!Array.isArray(mentions) || mentions.length !== 1 || !isBytes(mentions[0], 32))
        return { ok: false, message: 'expected "all", "allWithVotes" or { mentions: [one address] }' };
      return spec(kind, method, [{ mentions: [mentions[0]] }, { commitment }], commitment, {
        mentions: mentions[0],
      });
    }
  }
}
