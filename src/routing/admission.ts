// Admission control: how much work Switchyard takes on before it says "not now". Past a bound a call is
// answered at once (OVERLOADED, HTTP 503 with Retry-After) instead of queueing into timeouts: a queue
// that outgrows what the upstreams can answer within the deadline only turns fast refusals into slow
// failures, and in an outage it buries the surviving upstreams under retries. Pure: no I/O, no clock.
/** Seconds a client is asked to wait after OVERLOADED (the Retry-After header). */
export const OVERLOADED_RETRY_AFTER_S = 1;

/** Calls of one chain in flight (each batch element counts), bounded by `routing.maxInFlight`. */
export class CallAdmission {
  private active = 0;

  constructor(private readonly limit: number) {}

  get inFlight(): number {
    return this.active;
  }

  /** Takes a place for one call; false when the chain already carries `limit` calls. */
  enter(): boolean {
    if (this.active >= this.limit) return false;
    this.active++;
    return true;
  }

  leave(): void {
    if (this.active > 0) this.active--;
  }
}
