// The fleet over Redis (node-redis): one connection for commands, one subscribed to the fleet's
// channel. Commands fail at once while disconnected (no offline queue) and time out after
// STORE_TIMEOUT_MS; a PING every second tells a stalled or partitioned Redis from a quiet one.
// Keys: switchyard:<fleet>:{events (channel), epoch, cordons (hash), head:<chain>, ratelimit:<key name>,
// budget:<provider>:<period start>}.
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import type { Cordon } from '../cordons/cordon-request.js';
import { bounded, type FleetBackend, STORE_TIMEOUT_MS } from './backend.js';
import { cordonOf } from './messages.js';
import { LEASE_SCRIPT, type Lease } from './token-lease.js';

const HEARTBEAT_MS = 1000;
const MAX_RECONNECT_DELAY_MS = 1000;

/** Raises a number stored at KEYS[1] to ARGV[1]; returns the value now stored. */
const RAISE_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local proposed = tonumber(ARGV[1])
if proposed > current then redis.call('SET', KEYS[1], ARGV[1]) return proposed end
return current
`;

type Client = ReturnType<typeof createClient>;

export class RedisBackend implements FleetBackend {
  readonly via = 'redis';
  private readonly commands: Client;
  private readonly subscriber: Client;
  private readonly prefix: string;
  private readonly channel: string;
  private readonly connectionListeners: ((connected: boolean) => void)[] = [];
  private readonly messageListeners: ((text: string) => void)[] = [];
  private commandsReady = false;
  private subscribed = false;
  private subscribeAsked = false;
  private heartbeatOk = true;
  private lastConnected = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(url: string, fleetName: string) {
    this.prefix = `switchyard:${fleetName}:`;
    this.channel = `${this.prefix}events`;
    const options = {
      url,
      disableOfflineQueue: true,
      commandOptions: { timeout: STORE_TIMEOUT_MS },
      socket: {
        connectTimeout: 1000,
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
      },
    };
    this.commands = createClient(options);
    this.subscriber = createClient(options);
    // node-redis reports every failed reconnect as an error: the member logs the outage once instead.
    this.commands.on('error', () => {});
    this.subscriber.on('error', () => {});
    this.commands.on('ready', () => this.setCommandsReady(true));
    this.commands.on('end', () => this.setCommandsReady(false));
    this.commands.on('reconnecting', () => this.setCommandsReady(false));
    this.subscriber.on('ready', () => this.resubscribe());
    this.subscriber.on('end', () => this.setSubscribed(false));
    this.subscriber.on('reconnecting', () => this.setSubscribed(false));
  }

  /** Connects in the background: an unreachable Redis at start is an outage like any other. */
  start(): void {
    this.commands.connect().catch(() => {});
    this.subscriber.connect().catch(() => {});
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  get connected(): boolean {
    return this.commandsReady && this.subscribed && this.heartbeatOk;
  }

  onConnectionChange(listener: (connected: boolean) => void): void {
    this.connectionListeners.push(listener);
  }

  onMessage(listener: (text: string) => void): void {
    this.messageListeners.push(listener);
  }

  publish(text: string): void {
    if (!this.commandsReady) return;
    this.commands.publish(this.channel, text).catch(() => {});
  }

  async epoch(): Promise<string> {
    const key = `${this.prefix}epoch`;
    await this.call(this.commands.set(key, randomUUID(), { NX: true }), 'epoch');
    return (await this.call(this.commands.get(key), 'epoch')) ?? '';
  }

  async loadCordons(): Promise<Cordon[]> {
    const all = await this.call(this.commands.hGetAll(`${this.prefix}cordons`), 'cordons');
    const nowMs = Date.now();
    const cordons: Cordon[] = [];
    const expired: string[] = [];
    for (const [target, text] of Object.entries(all)) {
      let cordon: Cordon | undefined;
      try {
        cordon = cordonOf(JSON.parse(text));
      } catch {
        cordon = undefined;
      }
      if (cordon && cordon.target === target && cordon.expiresAtMs > nowMs) cordons.push(cordon);
      else expired.push(target);
    }
    if (expired.length > 0) this.commands.hDel(`${this.prefix}cordons`, expired).catch(() => {});
    return cordons;
  }

  async saveCordon(cordon: Cordon): Promise<void> {
    await this.call(
      this.commands.hSet(`${this.prefix}cordons`, cordon.target, JSON.stringify(cordon)),
      'cordon',
    );
  }

  async deleteCordon(target: string): Promise<void> {
    await this.call(this.commands.hDel(`${this.prefix}cordons`, target), 'cordon');
  }

  async raiseServedHead(chain: string, head: number): Promise<number> {
    const stored = await this.call(
      this.commands.eval(RAISE_SCRIPT, { keys: [`${this.prefix}head:${chain}`], arguments: [String(head)] }),
      'served head',
    );
    return Number(stored);
  }

  /**
   * The fleet's start of a provider's budget periods: `startMs` when no member has set one (SET NX),
   * else the one set first. Kept without expiry: the periods run on from it.
   */
  async periodStart(provider: string, startMs: number): Promise<number> {
    const key = `${this.prefix}budget:${provider}:start`;
    const [, stored] = await this.call(
      this.commands.multi().set(key, String(startMs), { condition: 'NX' }).get(key).exec(),
      'budget',
    );
    return stored === null ? startMs : Number(stored);
  }

  /** Budget spend of the fleet (src/fleet/fleet-budgets.ts): adds and returns the period's total. */
  async addSpend(provider: string, periodStartMs: number, credits: number, ttlMs: number): Promise<number> {
    const key = `${this.prefix}budget:${provider}:${periodStartMs}`;
    const [total] = await this.call(
      this.commands
        .multi()
        .incrByFloat(key, credits)
        .pExpire(key, Math.max(1000, Math.round(ttlMs)))
        .exec(),
      'budget',
    );
    return Number(total);
  }

  async lease(key: string, ratePerSecond: number, burst: number, want: number, debt: number): Promise<Lease> {
    const reply = await this.call(
      this.commands.eval(LEASE_SCRIPT, {
        keys: [`${this.prefix}ratelimit:${key}`],
        arguments: [String(ratePerSecond), String(burst), String(want), String(debt)],
      }),
      'rate limit',
    );
    const [granted, retryAfterMs] = reply as [number, number];
    return { granted: Number(granted), retryAfterMs: Number(retryAfterMs) };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    await Promise.all([this.commands, this.subscriber].map((c) => (c.isOpen ? c.close() : undefined))).catch(
      () => {},
    );
  }

  private call<T>(promise: Promise<T>, what: string): Promise<T> {
    return bounded(promise, STORE_TIMEOUT_MS, `redis ${what}`);
  }

  private async beat(): Promise<void> {
    if (!this.commandsReady) return;
    try {
      await this.call(this.commands.ping(), 'ping');
      this.heartbeatOk = true;
    } catch {
      this.heartbeatOk = false;
    }
    this.report();
  }

  private resubscribe(): void {
    // node-redis subscribes again by itself after a reconnect; only the first connection asks.
    if (this.subscribeAsked) {
      this.setSubscribed(true);
      return;
    }
    this.subscribeAsked = true;
    this.subscriber
      .subscribe(this.channel, (text) => {
        for (const listener of this.messageListeners) listener(text);
      })
      .then(
        () => this.setSubscribed(true),
        () => this.setSubscribed(false),
      );
  }

  private setCommandsReady(ready: boolean): void {
    this.commandsReady = ready;
    if (ready) this.heartbeatOk = true;
    this.report();
  }

  private setSubscribed(subscribed: boolean): void {
    this.subscribed = subscribed;
    this.report();
  }

  private report(): void {
    const now = this.connected;
    if (now === this.lastConnected || this.closed) return;
    this.lastConnected = now;
    for (const listener of this.connectionListeners) listener(now);
  }
}
