// CometBFT's event query language (libs/pubsub/query), as a node evaluates it against an event's
// composite keys: conditions joined by AND, each `key op value` or `key EXISTS`; ops =, <, <=, >, >=,
// CONTAINS; values 'quoted strings', numbers, DATE 2006-01-02 and TIME 2006-01-02T15:04:05Z. A
// condition holds when any value the event has for its key satisfies it. Switchyard evaluates each
// client's query itself, so any number of client queries costs a node one subscription.

export type CometEventType = 'NewBlock' | 'NewBlockHeader' | 'Tx';
const COMET_EVENT_TYPES: readonly CometEventType[] = ['NewBlock', 'NewBlockHeader', 'Tx'];

/** The composite keys of one event ("transfer.recipient" → its values), `tm.event` included. */
export type CometEvents = Readonly<Record<string, readonly string[]>>;

type Operand =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'time'; ms: number };
type Op = '=' | '<' | '<=' | '>' | '>=' | 'CONTAINS';

type Condition = { key: string; op: 'EXISTS' } | { key: string; op: Op; operand: Operand };

export interface CometQuery {
  readonly text: string;
  readonly conditions: readonly Condition[];
  /** The event types the query can match (its `tm.event` condition, or all three). */
  readonly types: readonly CometEventType[];
}

/** CometBFT's own bound (rpc/core/events.go maxQueryLength). */
const MAX_QUERY_LENGTH = 512;

const TOKEN =
  /\s*(?:(AND\b)|(EXISTS\b)|(CONTAINS\b)|(<=|>=|=|<|>)|'([^']*)'|(DATE\s+\d{4}-\d{2}-\d{2})|(TIME\s+\S+)|(-?\d+(?:\.\d+)?)(?![\w.])|([A-Za-z_][\w.\-/]*))/y;

type Token =
  | { t: 'and' | 'exists' | 'contains' }
  | { t: 'op'; op: Op }
  | { t: 'operand'; operand: Operand }
  | { t: 'key'; key: string };

function tokenize(text: string): Token[] | string {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) return `unexpected text at offset ${at}`;
    at = TOKEN.lastIndex;
    if (m[1]) tokens.push({ t: 'and' });
    else if (m[2]) tokens.push({ t: 'exists' });
    else if (m[3]) tokens.push({ t: 'contains' });
    else if (m[4]) tokens.push({ t: 'op', op: m[4] as Op });
    else if (m[5] !== undefined) tokens.push({ t: 'operand', operand: { kind: 'string', value: m[5] } });
    else if (m[6] || m[7]) {
      const ms = Date.parse((m[6] ?? m[7]!).replace(/^(DATE|TIME)\s+/, ''));
      if (Number.isNaN(ms)) return `bad ${m[6] ? 'DATE' : 'TIME'} value`;
      tokens.push({ t: 'operand', operand: { kind: 'time', ms } });
    } else if (m[8]) tokens.push({ t: 'operand', operand: { kind: 'number', value: Number(m[8]) } });
    else tokens.push({ t: 'key', key: m[9]! });
  }
  return tokens;
}

/** The parsed query, or why it cannot be one (the text CometBFT's error would carry). */
export function parseCometQuery(text: string): CometQuery | { error: string } {
  if (text.length > MAX_QUERY_LENGTH) return { error: 'maximum query length exceeded' };
  const tokens = tokenize(text);
  if (typeof tokens === 'string') return { error: `failed to parse query: ${tokens}` };
  const conditions: Condition[] = [];
  let i = 0;
  while (i < tokens.length) {
    const key = tokens[i];
    if (key?.t !== 'key') return { error: 'failed to parse query: expected a composite key' };
    const next = tokens[i + 1];
    if (next?.t === 'exists') {
      conditions.push({ key: key.key, op: 'EXISTS' });
      i += 2;
    } else {
      const op = next?.t === 'contains' ? 'CONTAINS' : next?.t === 'op' ? next.op : undefined;
      const value = tokens[i + 2];
      if (!op || value?.t !== 'operand')
        return { error: `failed to parse query: expected an operator and a value after ${key.key}` };
      if (op === 'CONTAINS' && value.operand.kind !== 'string')
        return { error: 'failed to parse query: CONTAINS takes a quoted string' };
      conditions.push({ key: key.key, op, operand: value.operand });
      i += 3;
    }
    if (i < tokens.length) {
      if (tokens[i]?.t !== 'and') return { error: 'failed to parse query: conditions are joined by AND' };
      i++;
      if (i === tokens.length) return { error: 'failed to parse query: nothing after AND' };
    }
  }
  if (conditions.length === 0) return { error: 'failed to parse query: empty query' };
  const types = typesOf(conditions);
  if (typeof types === 'string') return { error: types };
  return { text, conditions, types };
}

function typesOf(conditions: readonly Condition[]): CometEventType[] | string {
  let types = [...COMET_EVENT_TYPES];
  for (const c of conditions) {
    if (c.key !== 'tm.event' || c.op === 'EXISTS') continue;
    if (c.op !== '=' || c.operand.kind !== 'string')
      return "tm.event takes = and a quoted event type, e.g. tm.event='NewBlock'";
    const named = c.operand.value;
    if (!(COMET_EVENT_TYPES as readonly string[]).includes(named))
      return `Switchyard serves tm.event 'NewBlock', 'NewBlockHeader' and 'Tx', not '${named.slice(0, 40)}'`;
    types = types.filter((t) => t === named);
  }
  return types;
}

export function queryMatches(query: CometQuery, events: CometEvents): boolean {
  return query.conditions.every((c) => {
    const values = events[c.key];
    if (!values || values.length === 0) return false;
    if (c.op === 'EXISTS') return true;
    return values.some((v) => holds(v, c.op, c.operand));
  });
}

/** The number a value starts with ("100uatom" is 100), as CometBFT reads attribute values. */
const NUMBER_IN_VALUE = /-?\d+(?:\.\d+)?/;

function holds(value: string, op: Op, operand: Operand): boolean {
  if (operand.kind === 'string') {
    if (op === 'CONTAINS') return value.includes(operand.value);
    return compare(value < operand.value ? -1 : value > operand.value ? 1 : 0, op);
  }
  let n: number;
  if (operand.kind === 'number') {
    const m = NUMBER_IN_VALUE.exec(value);
    if (!m) return false;
    n = Number(m[0]);
  } else {
    n = Date.parse(value);
    if (Number.isNaN(n)) return false;
  }
  const target = operand.kind === 'number' ? operand.value : operand.ms;
  return compare(n < target ? -1 : n > target ? 1 : 0, op);
}

function compare(order: number, op: Op): boolean {
  switch (op) {
    case '=':
      return order === 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    default:
      return false;
  }
}
