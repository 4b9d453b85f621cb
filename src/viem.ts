// `import { switchyard } from 'switchyard/viem'`: a viem transport that runs the balancer in process.
// viem is an optional peer dependency: only this entry point imports it.
import { createTransport, type EIP1193RequestFn, type Transport } from 'viem';
import { createSwitchyard, type Switchyard, type SwitchyardOptions } from './library/create-switchyard.js';

export interface SwitchyardTransportOptions extends SwitchyardOptions {
  /** The config chain to send calls to; default: the one whose chainId is the client's chain id, else the first. */
  chain?: string;
  /**
   * viem's own retries on top of Switchyard's (default 0): Switchyard already retries and hedges on
   * other failure domains within `server.requestTimeout`.
   */
  retryCount?: number;
}

export interface SwitchyardTransportValue {
  /** The in-process balancer behind this transport (created on first use, shared by every client). */
  instance(): Promise<Switchyard>;
  /** Closes it; a transport built from an instance you passed in leaves that instance to you. */
  close(): Promise<void>;
}

export type SwitchyardTransport = Transport<'switchyard', SwitchyardTransportValue> &
  SwitchyardTransportValue;

function isSwitchyard(value: unknown): value is Switchyard {
  return typeof (value as Switchyard | null)?.request === 'function';
}

/** A viem transport over a config (same shape as the YAML) or over a Switchyard you created. */
export function switchyard(
  configOrInstance: unknown,
  options: SwitchyardTransportOptions = {},
): SwitchyardTransport {
  const owned = !isSwitchyard(configOrInstance);
  let instance: Promise<Switchyard> | undefined = owned
    ? undefined
    : Promise.resolve(configOrInstance as Switchyard);
  const getInstance = () => {
    instance ??= createSwitchyard(configOrInstance, options);
    return instance;
  };
  const value: SwitchyardTransportValue = {
    instance: getInstance,
    async close() {
      if (owned && instance) await (await instance).close();
    },
  };
  const transport: Transport<'switchyard', SwitchyardTransportValue> = ({ chain: viemChain }) => {
    const chainName = (sy: Switchyard): string => {
      if (options.chain) return options.chain;
      const byId = sy.config.chains.find((c) => c.chainId === viemChain?.id);
      return (byId ?? sy.config.chains[0]!).name;
    };
    return createTransport(
      {
        key: 'switchyard',
        name: 'Switchyard',
        type: 'switchyard',
        retryCount: options.retryCount ?? 0,
        // viem types request() per method; the balancer forwards any method, so the answer is untyped.
        request: (async ({ method, params }: { method: string; params?: unknown }) => {
          const sy = await getInstance();
          return sy.request(chainName(sy), { method, params: params as unknown[] | undefined });
        }) as EIP1193RequestFn,
      },
      value,
    );
  };
  return Object.assign(transport, value);
}
