// Hot reload: SIGHUP, or a change of the config file when watched (`--watch`), applies a new config
// without dropping a request (server.reload swaps the runtime; calls in flight finish on the old
// one). An invalid file is rejected with a logged reason and the config in use keeps serving.
import { createHash } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { type Config, loadConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { SwitchyardServer } from '../server/server.js';

export class ConfigReloader {
  private chain: Promise<unknown> = Promise.resolve();
  private watching = false;
  private lastDigest: string | undefined;

  constructor(
    private readonly server: SwitchyardServer,
    private readonly file: string,
    private readonly logger: Logger,
    private readonly load: (file: string) => Config = loadConfig,
  ) {
    this.lastDigest = digestOf(file);
  }

  /** Reloads now (reloads run one at a time, in order); resolves true when the new config applies. */
  reload(trigger: string): Promise<boolean> {
    const next = this.chain.then(() => this.apply(trigger));
    this.chain = next.catch(() => {});
    return next;
  }

  private async apply(trigger: string): Promise<boolean> {
    const observer = this.server.observer;
    let config: Config;
    try {
      this.lastDigest = digestOf(this.file);
      config = this.load(this.file);
    } catch (err) {
      this.logger.error('config reload rejected; the old config keeps serving', {
        trigger,
        reason: (err as Error).message,
      });
      observer.configReload?.(false);
      return false;
    }
    const current = this.server.runtime.config;
    if (config.server.host !== current.server.host || config.server.port !== current.server.port) {
      this.logger.warn(
        'server.host and server.port apply on restart only; still listening on the old address',
        {
          trigger,
        },
      );
    }
    if (JSON.stringify(config.server.opsListen) !== JSON.stringify(current.server.opsListen)) {
      this.logger.warn('server.opsListen applies on restart only; operator routes stay where they were', {
        trigger,
      });
    }
    if (config.logging.level !== current.logging.level) {
      this.logger.warn('logging.level applies on restart only', { trigger });
    }
    // Compared, never logged: fleet.redis is a secret.
    if (
      JSON.stringify(config.fleet) !== JSON.stringify(current.fleet) ||
      config.server.workers !== current.server.workers
    ) {
      this.logger.warn('fleet and server.workers apply on restart only', { trigger });
    }
    this.logger.addSecrets(config.secrets);
    try {
      await this.server.reload(config);
    } catch (err) {
      this.logger.error('config reload failed; the old config keeps serving', {
        trigger,
        reason: (err as Error).message,
      });
      observer.configReload?.(false);
      return false;
    }
    const upstreams = config.chains.reduce((n, c) => n + c.upstreams.length, 0);
    this.logger.info('config reloaded', {
      trigger,
      file: this.file,
      chains: config.chains.length,
      upstreams,
    });
    observer.configReload?.(true);
    return true;
  }

  /**
   * Watches the file by polling its status (works through editors' rename-on-save, bind mounts and
   * Kubernetes ConfigMap symlink swaps, where inotify watches go stale); reloads when its content
   * changes.
   */
  watch(intervalMs = 500): void {
    if (this.watching) return;
    this.watching = true;
    watchFile(this.file, { interval: intervalMs, persistent: false }, (curr, prev) => {
      if (curr.mtimeMs === prev.mtimeMs && curr.size === prev.size && curr.ino === prev.ino) return;
      const digest = digestOf(this.file);
      if (digest === undefined || digest === this.lastDigest) return;
      void this.reload('watch');
    });
  }

  stop(): void {
    if (this.watching) unwatchFile(this.file);
    this.watching = false;
  }
}

function digestOf(file: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
}
