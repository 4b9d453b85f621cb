// Raw JSON scanning: finds where values start and end without building them, so ids, results and
// error objects can be passed through byte-for-byte (big integers, key order, number formats).

export interface Span {
  start: number;
  end: number;
}

export interface RawMember extends Span {
  key: string;
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

export function skipWhitespace(text: string, pos: number): number {
  while (pos < text.length && isWhitespace(text.charCodeAt(pos))) pos++;
  return pos;
}

function skipString(text: string, pos: number): number {
  // pos is at the opening quote; validity of escapes is left to JSON.parse of the whole value.
  // indexOf finds the next quote natively (most of a block's bytes are hex strings); a quote after an
  // odd run of backslashes is escaped.
  let from = pos + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) throw new SyntaxError('unterminated string');
    let slash = quote - 1;
    while (slash > pos && text.charCodeAt(slash) === 0x5c) slash--;
    if ((quote - 1 - slash) % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** The string at [start, end) (quotes included) as text: escapes are rare in keys, JSON.parse is not cheap. */
function keyText(text: string, start: number, end: number): string {
  const inner = text.slice(start + 1, end - 1);
  return inner.includes('\\') ? (JSON.parse(text.slice(start, end)) as string) : inner;
}

/** Returns the index just past the JSON value that starts at `pos` (after leading whitespace). */
export function skipValue(text: string, pos: number): number {
  pos = skipWhitespace(text, pos);
  const code = text.charCodeAt(pos);
  if (code === 0x22) return skipString(text, pos);
  if (code === 0x7b || code === 0x5b) {
    let depth = 0;
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        pos = skipString(text, pos);
        continue;
      }
      if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 0) return pos + 1;
      }
      pos++;
    }
    throw new SyntaxError('unterminated container');
  }
  const start = pos;
  // number, true, false, null: a run of literal characters
  while (pos < text.length) {
    const c = text.charCodeAt(pos);
    if (c === 0x2c || c === 0x7d || c === 0x5d || isWhitespace(c)) break;
    pos++;
  }
  if (pos === start) throw new SyntaxError(`unexpected character at ${pos}`);
  return pos;
}

/** Members of the object spanning [start, end), or null when it is not an object. */
export function objectMembers(text: string, start = 0, end = text.length): RawMember[] | null {
  let pos = skipWhitespace(text, start);
  if (text.charCodeAt(pos) !== 0x7b) return null;
  pos = skipWhitespace(text, pos + 1);
  const members: RawMember[] = [];
  if (text.charCodeAt(pos) === 0x7d) return members;
  while (pos < end) {
    if (text.charCodeAt(pos) !== 0x22) throw new SyntaxError('expected key');
    const keyEnd = skipString(text, pos);
    const key = keyText(text, pos, keyEnd);
    pos = skipWhitespace(text, keyEnd);
    if (text.charCodeAt(pos) !== 0x3a) throw new SyntaxError('expected colon');
    const valueStart = skipWhitespace(text, pos + 1);
    const valueEnd = skipValue(text, valueStart);
    members.push({ key, start: valueStart, end: valueEnd });
    pos = skipWhitespace(text, valueEnd);
    const c = text.charCodeAt(pos);
    if (c === 0x7d) return members;
    if (c !== 0x2c) throw new SyntaxError('expected comma');
    pos = skipWhitespace(text, pos + 1);
  }
  throw new SyntaxError('unterminated object');
}

/** Elements of the array spanning [start, end), or null when it is not an array. */
export function arrayElements(text: string, start = 0, end = text.length): Span[] | null {
  let pos = skipWhitespace(text, start);
  if (text.charCodeAt(pos) !== 0x5b) return null;
  pos = skipWhitespace(text, pos + 1);
  const elements: Span[] = [];
  if (text.charCodeAt(pos) === 0x5d) return elements;
  while (pos < end) {
    const valueEnd = skipValue(text, pos);
    elements.push({ start: pos, end: valueEnd });
    pos = skipWhitespace(text, valueEnd);
    const c = text.charCodeAt(pos);
    if (c === 0x5d) return elements;
    if (c !== 0x2c) throw new SyntaxError('expected comma');
    pos = skipWhitespace(text, pos + 1);
  }
  throw new SyntaxError('unterminated array');
}
