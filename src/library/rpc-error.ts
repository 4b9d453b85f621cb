// The error an in-process request throws when the answer is a JSON-RPC error: the provider's own
// error object when one came back, else Switchyard's catalogue error (src/rpc/errors.ts), unchanged.

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export class SwitchyardRpcError extends Error {
  readonly code: number;
  readonly data: unknown;

  constructor(
    /** The JSON-RPC error object exactly as an HTTP client would have received it. */
    readonly error: JsonRpcErrorObject,
    /** The upstream whose answer this was; undefined when Switchyard answered itself. */
    readonly upstream: string | undefined,
  ) {
    super(error.message);
    this.name = 'SwitchyardRpcError';
    this.code = error.code;
    this.data = error.data;
  }
}

/** Parses a raw error object; a malformed one (never expected) still becomes a typed error. */
export function rpcErrorFromRaw(raw: string, upstream: string | undefined): SwitchyardRpcError {
  let error: JsonRpcErrorObject = { code: -32603, message: raw.slice(0, 200) };
  try {
    const parsed = JSON.parse(raw) as Partial<JsonRpcErrorObject>;
    if (typeof parsed.code === 'number' && typeof parsed.message === 'string') {
      error = {
        code: parsed.code,
        message: parsed.message,
        ...('data' in parsed ? { data: parsed.data } : {}),
      };
    }
  } catch {
    // keep the fallback above
  }
  return new SwitchyardRpcError(error, upstream);
}
