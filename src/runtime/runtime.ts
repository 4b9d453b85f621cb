// Everything built from one config: chains with their upstreams and domains, the dispatcher, the
// health checker, the detector and the dispute prober. A reload builds a new Runtime and swaps it in;
// the old one drains and closes.
import { HealthChecker } from '../../health/checker.js';
import { Detector } from '../../health/detector.js';
import { DisputeProber } from '../../health/dispute-prober.js';
import { LoopDelay } from '../../health/loop-delay.js';
import { probeLiveness } from '../../health/probes/liveness-probe.js';
import type { Config } from '../config/config.js';
import { type CordonView, NO_CORDONS } from '../cordons/cordon-book.js';
import type { Logger } from '../log/logger.js';
import { urlSecrets } from '../log/redact.js';
import { ChainRuntime } from '../routing/chain.js';
import { Dispatcher } from '../routing/dispatcher.js';
import type { Observer } from '../routing/observer.js';
import { type ProviderAccount, providerAccounts } from '../routing/provider-account.js';

/** Shorter values are too likely to appear by chance in log text to be worth scrubbing. */
const MIN_SECRET_LENGTH = 8;

export class Runtime {
  readonly chains = new Map<string, ChainRuntime>();
  readonly defaultChain: ChainRuntime;
  readonly dispatcher: Dispatcher;
  readonly checker: HealthChecker;
  readonly detector: Detector;
  /** This process's own event-loop delay, added to probe deadlines (health/loop-delay.ts). */
  private readonly loopDelay = new LoopDelay();
  /** Brings an upstream out of rotation after disputes back once a probe agrees. */
  readonly disputeProber: DisputeProber;
  /** Limits, weights and budgets per provider (`providers:`); a reload carries their state over. */
  readonly providers: ReadonlyMap<string, ProviderAccount>;

  constructor(
    readonly config: Config,
    readonly logger: Logger,
    readonly observer: Observer,
    /** The runtime this one replaces on reload: unchanged upstreams and domains keep their state. */
    previous?: Runtime,
    cordons: CordonView = NO_CORDONS,
  ) {
    const now = Date.now();
    this.providers = providerAccounts(config.providers, now, previous?.providers);
    // API keys and upstream header values (bearer tokens, provider keys) are never logged either.
    logger.addSecrets(config.security.apiKeys.map((k) => k.key).filter((k) => k.length >= MIN_SECRET_LENGTH));
    logger.addSecrets(
      config.chains.flatMap((c) =>
        c.upstreams.flatMap((u) => Object.values(u.headers).filter((v) => v.length >= MIN_SECRET_LENGTH)),
      ),
    );
    for (const chainConfig of config.chains) {
      logger.addSecrets(
        chainConfig.upstreams.flatMap((u) => [...urlSecrets(u.url), ...(u.ws ? urlSecrets(u.ws) : [])]),
      );
      const chain = new ChainRuntime(
        chainConfig,
        config,
        now,
        (key, from, to) => {
          observer.breakerTransition('domain', chainConfig.name, key, from, to);
          logger.warn('failure domain breaker', { chain: chainConfig.name, domain: key, from, to });
        },
        Math.random,
        previous?.chains.get(chainConfig.name),
        (u) => {
          // Once per upstream instance: a kept upstream already reports its transitions.
          const report = (from: string, to: string) => {
            observer.breakerTransition('upstream', chainConfig.name, u.name, from, to);
            logger.info('upstream breaker', { chain: chainConfig.name, upstream: u.name, from, to });
          };
          u.breaker.on('open', () => report('closed', 'open'));
          u.breaker.on('halfOpen', () => report('open', 'half_open'));
          u.breaker.on('close', () => report('half_open', 'closed'));
        },
        this.providers,
        observer,
      );
      chain.cordons = cordons;
      this.chains.set(chainConfig.name, chain);
    }
    this.defaultChain = this.chains.get(config.chains[0]!.name)!;
    this.dispatcher = new Dispatcher(observer);
    this.checker = new HealthChecker([...this.chains.values()], logger, observer);
    this.detector = new Detector(
      [...this.chains.values()],
      probeLiveness,
      logger,
      observer,
      (chain, u) => this.checker.checkNow(chain, u),
      Math.random,
      () => this.loopDelay.recentMaxMs(),
    );
    this.disputeProber = new DisputeProber([...this.chains.values()], logger);
  }

  /**
   * Starts health checks and waits for the first round (bounded by the probe timeout), so that no
   * request goes to an upstream on the wrong chain before its chain id was seen.
   */
  async start(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.config.health.timeoutMs);
    });
    await Promise.race([this.checker.start(), bound]);
    clearTimeout(timer);
    this.loopDelay.start();
    this.detector.start();
    this.disputeProber.start();
  }

  async close(): Promise<void> {
    this.checker.stop();
    this.detector.stop();
    this.loopDelay.stop();
    this.disputeProber.stop();
    await Promise.all([...this.chains.values()].map((c) => c.close()));
  }
}
