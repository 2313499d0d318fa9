/**
 * Everything a running simulator holds: settings fixed at creation, and the data, counters,
 * request and arrival logs, limiter, quotas and faults that `POST /__sim/reset` replaces.
 */
import type { OperationName } from '../cdn/models';
import type { AuthSettings } from './auth';
import { generateDataset } from './dataset';
import { defaultFaults, type FaultConfig } from './faults';
import { mulberry32, type Random } from './prng';
import { QuotaBook, type QuotaKind } from './quota';
import { RateLimiter } from './ratelimit';
import { ArrivalLog, RequestLog } from './request-log';
import { RequestCounter } from './stats';
import { Store } from './store';

/** Settings fixed when the simulator starts. */
export interface Settings {
  readonly auth: AuthSettings;
  readonly seed: number;
  readonly records: number;
  /** The data clock, epoch ms. */
  readonly clock: () => number;
  /** The monotonic clock of the rate-limit windows, ms. */
  readonly rateLimitClock: () => number;
  readonly transitionMs: number;
  /** The rate limits `DELETE /__sim/faults` comes back to. */
  readonly rateLimits: Readonly<Record<OperationName, number>>;
  readonly quotas: Readonly<Record<QuotaKind, number>>;
  readonly quiet: boolean;
  /** The `enterpriseProjectRequired` mode `DELETE /__sim/faults` and resets come back to. */
  readonly enterpriseProjectRequired: boolean;
}

/** What a reset may change; omitted fields take the start settings (and the clock). */
export interface ResetInput {
  readonly seed?: number;
  readonly records?: number;
  readonly now?: number;
}

/** The simulator's mutable state. */
export class SimulatorState {
  store!: Store;
  counter!: RequestCounter;
  requestLog!: RequestLog;
  arrivals!: ArrivalLog;
  limiter!: RateLimiter;
  quotas!: QuotaBook;
  faults!: FaultConfig;
  faultRandom!: Random;
  private seed!: number;

  /** Creates the state with the start settings' data set. */
  constructor(readonly settings: Settings) {
    this.reset({});
  }

  /** Replaces the data set and zeroes counters, limiter windows, quotas and faults. */
  reset(input: ResetInput): { records: number; tasks: number } {
    this.seed = input.seed ?? this.settings.seed;
    const dataset = generateDataset({
      seed: this.seed,
      records: input.records ?? this.settings.records,
      now: input.now ?? this.settings.clock(),
    });
    this.store = new Store(dataset);
    this.counter = new RequestCounter();
    this.requestLog = new RequestLog();
    this.arrivals = new ArrivalLog();
    this.limiter = new RateLimiter();
    this.quotas = new QuotaBook(this.settings.quotas);
    this.setFaults(this.defaultFaults());
    return this.store.size();
  }

  /** Returns the configuration without faults: the start options' rate limits and modes. */
  defaultFaults(): FaultConfig {
    return defaultFaults(this.settings.rateLimits, { enterpriseProjectRequired: this.settings.enterpriseProjectRequired });
  }

  /** Installs a fault configuration and restarts its decision sequence, so runs repeat. */
  setFaults(config: FaultConfig): void {
    this.faults = config;
    this.faultRandom = mulberry32(this.seed ^ 0x5eed_fa17);
  }
}
