/**
 * Bounds a Redis command's promise in wall time. keycast gives its ioredis clients no
 * `commandTimeout` of their own: ioredis can report a timed-out command only as an unhandled
 * rejection (measured here with pipelines and the cluster client), which would end a live run
 * or fail a test. The original promise is kept handled; a late answer is ignored.
 */
import { KeycastError } from '../../model/errors.ts';

/** A command that did not answer within its bound. */
export class RedisTimeoutError extends KeycastError {
  override readonly name = 'RedisTimeoutError';
  constructor(message: string) {
    super('REDIS_TIMEOUT', message);
  }
}

/** `p`, or a RedisTimeoutError after `ms` wall ms, whichever comes first. */
export function withTimeout<T>(p: Promise<T>, ms: number, what = 'command'): Promise<T> {
  p.catch(() => {});
  let t!: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new RedisTimeoutError(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}
