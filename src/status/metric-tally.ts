// Counters and histograms for the per-request events, counted in plain numbers and handed to
// prom-client only when /metrics is scraped. prom-client builds and hashes a label object on every
// inc() and observe(): five of them per request cost about a tenth of the proxy's saturation throughput.
import {
  Counter,
  type CounterConfiguration,
  Histogram,
  type HistogramConfiguration,
  type LabelValues,
  type MetricObjectWithValues,
  type MetricValueWithName,
} from 'prom-client';

/**
 * The callers' cell keys join label values with this character. Chain names cannot hold it and the
 * other values come from fixed sets or config names; two keys that collide only merge their counts.
 */
export const KEY_SEPARATOR = '\u0000';

interface CounterCell<T extends string> {
  labels: LabelValues<T>;
  pending: number;
}

/** A prom-client Counter whose hot-path increments are tallied per key and added at scrape time. */
export class TalliedCounter<T extends string> extends Counter<T> {
  private readonly cells = new Map<string, CounterCell<T>>();

  constructor(config: Omit<CounterConfiguration<T>, 'collect'>) {
    super({
      ...config,
      collect(this: Counter<T>) {
        (this as TalliedCounter<T>).flush();
      },
    });
  }

  /**
   * Adds 1 under `key` (the label values joined by KEY_SEPARATOR). False when the key is new: then
   * `start()` it with its labels, so the hot path allocates nothing.
   */
  count(key: string): boolean {
    const cell = this.cells.get(key);
    if (cell) cell.pending++;
    return cell !== undefined;
  }

  /** Counts the first 1 under a new key. */
  start(key: string, labels: LabelValues<T>): void {
    this.cells.set(key, { labels, pending: 1 });
  }

  private flush(): void {
    for (const cell of this.cells.values()) {
      if (cell.pending === 0) continue;
      this.inc(cell.labels, cell.pending);
      cell.pending = 0;
    }
  }

  override reset(): void {
    // prom-client's constructor calls reset() before this class's fields exist.
    this.cells?.clear();
    super.reset();
  }
}

interface ExportedValue<T extends string> {
  labels: { le?: number | string };
  value: number;
  metricName: string;
  /** Buckets carry a null exemplar (none recorded), as prom-client's do. */
  exemplar?: null;
  sharedLabels: LabelValues<T>;
}

interface HistogramCell<T extends string> {
  labels: LabelValues<T>;
  /** Observations per bucket (not cumulative); the last slot is above the largest bound. */
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * A prom-client Histogram kept in its own cells: observe() is a bucket scan and two additions, and the
 * registry reads the values through get(), in the shape prom-client's own Histogram gives it.
 */
export class TalliedHistogram<T extends string> extends Histogram<T> {
  private readonly cells = new Map<string, HistogramCell<T>>();
  private readonly bounds: readonly number[];

  constructor(config: Omit<HistogramConfiguration<T>, 'collect'> & { buckets: number[] }) {
    super(config);
    this.bounds = [...config.buckets].sort((a, b) => a - b);
  }

  /** Records `value` under `key` (the label values joined by KEY_SEPARATOR); false when the key is new. */
  record(key: string, value: number): boolean {
    const cell = this.cells.get(key);
    if (cell) this.add(cell, value);
    return cell !== undefined;
  }

  /** Records the first value under a new key. */
  start(key: string, labels: LabelValues<T>, value: number): void {
    const cell = { labels, buckets: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
    this.cells.set(key, cell);
    this.add(cell, value);
  }

  private add(cell: HistogramCell<T>, value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    cell.buckets[i]!++;
    cell.sum += value;
    cell.count++;
  }

  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<T>>> {
    const data = this.getForPromString();
    const values = data.values.map(({ sharedLabels, labels, value, metricName, exemplar }) => ({
      labels: { ...sharedLabels, ...labels },
      value,
      metricName,
      exemplar,
    }));
    // The typings declare `type` as an enum and require `collect`; at run time it is prom-client's own
    // object shape, which is what this returns.
    return { ...data, values } as unknown as MetricObjectWithValues<MetricValueWithName<T>>;
  }

  /** What the registry formats: per cell, cumulative `le` buckets, with the cell's labels shared. */
  getForPromString(): {
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: ExportedValue<T>[];
  } {
    const { name, help, type, aggregator } = this as unknown as Record<
      'name' | 'help' | 'type' | 'aggregator',
      string
    >;
    const bucketName = `${name}_bucket`;
    const values: ExportedValue<T>[] = [];
    for (const cell of this.cells.values()) {
      const sharedLabels = cell.labels;
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += cell.buckets[i]!;
        values.push({
          labels: { le: this.bounds[i]! },
          value: cumulative,
          metricName: bucketName,
          exemplar: null,
          sharedLabels,
        });
      }
      values.push(
        { labels: { le: '+Inf' }, value: cell.count, metricName: bucketName, exemplar: null, sharedLabels },
        { labels: {}, value: cell.sum, metricName: `${name}_sum`, sharedLabels },
        { labels: {}, value: cell.count, metricName: `${name}_count`, sharedLabels },
      );
    }
    return { name, help, type, aggregator, values };
  }

  override reset(): void {
    // prom-client's constructor calls reset() before this class's fields exist.
    this.cells?.clear();
    super.reset();
  }
}
