/**
 * Task pollers across replicas in Redis (docs/architecture.md#subscriptions): per task a lease
 * (`SET NX PX`, renewed by its holder, given up with a notice) and the latest state (a key, and
 * a message on one channel per quota scope that every replica subscribes to). While Redis cannot
 * be reached every claim is granted, so that each replica polls for itself, as without Redis.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { PolledState, PollerClaim, PollerCoordination, PollerNotice } from './types';

/**
 * Takes or renews a lease. KEYS[1]: the lease (its holder's token), KEYS[2]: the latest state.
 * ARGV: token, ttl ms. Returns {1} when the caller holds it now (the state lives as long as the
 * lease), else {0, state} with the latest state if any.
 */
export const CLAIM_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
  return {1}
end
local state = redis.call('GET', KEYS[2])
if state then return {0, state} end
return {0}
`;

/**
 * Publishes a state. KEYS[1]: the latest state ("version\\npayload"). ARGV: how long to keep it
 * (0: not kept), channel, token, task key, payload. The version is Redis's clock in
 * microseconds, above the latest kept: states order across holders. Returns the version (a string).
 */
export const PUBLISH_SCRIPT = `
local t = redis.call('TIME')
local v = tonumber(t[1]) * 1000000 + tonumber(t[2])
local previous = redis.call('GET', KEYS[1])
if previous then
  local pv = tonumber(string.match(previous, '^(%d+)'))
  if pv and pv >= v then v = pv + 1 end
end
local version = string.format('%.0f', v)
if tonumber(ARGV[1]) > 0 then redis.call('SET', KEYS[1], version .. '\\n' .. ARGV[5], 'PX', ARGV[1]) end
redis.call('PUBLISH', ARGV[2], ARGV[3] .. '\\n' .. ARGV[4] .. '\\n' .. version .. '\\n' .. ARGV[5])
return version
`;

/** Gives a lease up if the caller holds it, and says so on the channel. KEYS[1]: the lease. ARGV: token, channel, message. */
export const LEASE_RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], ARGV[3])
  return 1
end
return 0
`;

type PollerRedis = Redis & {
  cdngwPollClaim(lease: string, state: string, token: string, ttlMs: number): Promise<[number, string?]>;
  cdngwPollPublish(state: string, keepMs: number, channel: string, token: string, task: string, payload: string): Promise<string>;
  cdngwPollRelease(lease: string, token: string, channel: string, message: string): Promise<number>;
};

/** Options of the Redis pollers. */
export interface RedisPollersOptions {
  /** The shared state's key prefix (the quota scope). */
  readonly keyPrefix: string;
  /** Tells whether the main connection is up (otherwise every claim is granted, and nothing is sent). */
  readonly ready: () => boolean;
  /** Reports a Redis failure (the call carries on without Redis). */
  readonly report: (error: unknown) => void;
  /** Called when a lease or state command failed (the pollers fall back: each replica polls for itself); `report` when absent. */
  readonly failed?: (error: unknown) => void;
  /** Called when a lease or state command succeeded (the pollers are shared again). */
  readonly succeeded?: () => void;
}

/** The pollers of one replica: per partition, and the subscriber connection's lifecycle. */
export interface RedisPollers {
  forPartition(partition: string): PollerCoordination;
  /** Opens the subscriber connection (after the main one is up); it reconnects and resubscribes by itself. */
  start(): void;
  close(): Promise<void>;
}

const GRANTED: PollerClaim = Object.freeze({ mine: true as const });

/** Creates the Redis pollers on `client` (its scripts are registered here; the subscriber is a duplicate of it). */
export function createRedisPollers(client: Redis, options: RedisPollersOptions): RedisPollers {
  const redis = client as PollerRedis;
  redis.defineCommand('cdngwPollClaim', { numberOfKeys: 2, lua: CLAIM_SCRIPT });
  redis.defineCommand('cdngwPollPublish', { numberOfKeys: 1, lua: PUBLISH_SCRIPT });
  redis.defineCommand('cdngwPollRelease', { numberOfKeys: 1, lua: LEASE_RELEASE_SCRIPT });
  // This replica's name on leases and messages (its own messages are not delivered back to it).
  const token = randomBytes(9).toString('base64url');
  const channel = `${options.keyPrefix}progress`;
  const listeners = new Map<string, Set<(notice: PollerNotice) => void>>();
  let subscriber: Redis | undefined;
  const commandFailed = options.failed ?? options.report;

  const onMessage = (_channel: string, message: string): void => {
    const parsed = parseMessage(message);
    if (!parsed || parsed.token === token) return;
    for (const listener of listeners.get(parsed.task) ?? []) {
      try {
        listener(parsed.notice);
      } catch (error) {
        options.report(error);
      }
    }
  };

  const forPartition = (partition: string): PollerCoordination => {
    const taskKey = (taskId: string): string => `${partition}:${taskId}`;
    const key = (taskId: string, part: 'lease' | 'state'): string => `${options.keyPrefix}progress:${taskKey(taskId)}:${part}`;
    return {
      async claim(taskId, ttlMs) {
        if (!options.ready()) return GRANTED;
        try {
          const [held, state] = await redis.cdngwPollClaim(key(taskId, 'lease'), key(taskId, 'state'), token, Math.max(1, Math.ceil(ttlMs)));
          options.succeeded?.();
          if (held === 1) return GRANTED;
          const latest = state === undefined ? undefined : parseState(state);
          return latest ? { mine: false, latest } : { mine: false };
        } catch (error) {
          commandFailed(error);
          return GRANTED;
        }
      },
      async release(taskId) {
        if (!options.ready()) return;
        try {
          await redis.cdngwPollRelease(key(taskId, 'lease'), token, channel, `${token}\n${taskKey(taskId)}\n0\n`);
          options.succeeded?.();
        } catch (error) {
          commandFailed(error);
        }
      },
      async publish(taskId, payload, keepMs) {
        if (!options.ready()) return 0;
        try {
          const version = Number(await redis.cdngwPollPublish(key(taskId, 'state'), Math.max(0, Math.ceil(keepMs)), channel, token, taskKey(taskId), payload));
          options.succeeded?.();
          return version;
        } catch (error) {
          commandFailed(error);
          return 0;
        }
      },
      listen(taskId, onNotice) {
        const k = taskKey(taskId);
        let set = listeners.get(k);
        if (!set) listeners.set(k, (set = new Set()));
        const mine = set;
        mine.add(onNotice);
        return () => {
          mine.delete(onNotice);
          if (mine.size === 0 && listeners.get(k) === mine) listeners.delete(k);
        };
      },
    };
  };

  return {
    forPartition,
    start() {
      if (subscriber) return;
      // Subscribing waits for the connection (an offline queue), unlike the main client's commands.
      subscriber = client.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
      subscriber.on('error', (error: unknown) => options.report(error));
      subscriber.on('message', onMessage);
      subscriber.subscribe(channel).catch((error: unknown) => options.report(error));
    },
    async close() {
      listeners.clear();
      const s = subscriber;
      subscriber = undefined;
      if (!s) return;
      if (s.status === 'ready') {
        try {
          await s.quit();
          return;
        } catch {
          // Fall through: drop the connection instead.
        }
      }
      s.disconnect();
    },
  };
}

// Reads "token\ntask\nversion\npayload"; version 0 is a release notice.
function parseMessage(message: string): { token: string; task: string; notice: PollerNotice } | undefined {
  const first = message.indexOf('\n');
  const second = message.indexOf('\n', first + 1);
  if (first < 0 || second < 0) return undefined;
  const state = parseState(message.slice(second + 1));
  if (!state) return undefined;
  const notice: PollerNotice = state.version === 0 ? { kind: 'released' } : { kind: 'state', ...state };
  return { token: message.slice(0, first), task: message.slice(first + 1, second), notice };
}

// Reads "version\npayload".
function parseState(text: string): PolledState | undefined {
  const newline = text.indexOf('\n');
  if (newline < 0) return undefined;
  const version = Number(text.slice(0, newline));
  if (!Number.isSafeInteger(version) || version < 0) return undefined;
  return { version, payload: text.slice(newline + 1) };
}
