/**
 * The masters of a Redis Cluster as keycast indexes them (node i is the i-th master by port) and
 * one connection to each, with every command bounded in time: a frozen node must turn into a
 * failed command, never a hang. Shared by the control plane, its migrations and its recovery.
 */
import { Redis } from 'ioredis';
import { performance } from 'node:perf_hooks';
import type { OpCode } from '../../model/control-plane.ts';
import { ownersFromTable, parseMasters, parseMyself, type MyselfView, type SlotsRow } from './slot-view.ts';
import { RedisTimeoutError, withTimeout } from './with-timeout.ts';
import { InputError, KeycastError } from '../../model/errors.ts';

/** One master as keycast indexes it. */
export interface RedisNode {
  readonly index: number;
  readonly id: string;
  readonly host: string;
  readonly port: number;
}

/** A command as its name and arguments. */
export type Cmd = (string | number)[];

/** A failure of an operation with its code. */
export class OpFailure extends KeycastError {
  override readonly name = 'OpFailure';
  constructor(
    override readonly code: OpCode,
    message: string,
  ) {
    super(code, message);
  }
}

/** The code of an error thrown by a Redis command. */
export function codeOf(err: unknown): OpCode {
  if (err instanceof OpFailure) return err.code;
  if (err instanceof RedisTimeoutError) return 'timeout';
  const m = err instanceof Error ? err.message : String(err);
  if (/timed out|IOERR|timeout/i.test(m)) return 'timeout';
  if (/ECONNREFUSED|ECONNRESET|Connection is closed|Stream isn't writeable|EPIPE|connect ETIMEDOUT|enableOfflineQueue/i.test(m)) return 'node-down';
  return 'failed';
}

export const wallNow = () => performance.now(); // clock-ok: a real cluster's operations take wall time
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function client(host: string, port: number): Redis {
  const c = new Redis({
    host,
    port,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // No ioredis commandTimeout: its timed-out commands can surface as unhandled rejections;
    // `guard` bounds every command instead.
    connectTimeout: 1000,
    retryStrategy: () => 200,
  });
  c.on('error', () => {}); // failures surface on the commands; reconnection is ioredis's
  return c;
}

export class RedisNodes {
  private constructor(
    readonly list: readonly RedisNode[],
    private readonly clients: readonly Redis[],
    /** Command timeout, wall ms, plus 2 ms per command of a pipeline. */
    private readonly commandTimeoutMs: number,
  ) {}

  /** Asks the seeds (in turn) for `CLUSTER NODES` and connects to every master. */
  static async connect(seeds: readonly { readonly host: string; readonly port: number }[], commandTimeoutMs = 10_000): Promise<RedisNodes> {
    let text: string | null = null;
    const errors: string[] = [];
    for (const s of seeds) {
      const c = client(s.host, s.port);
      try {
        await c.connect();
        text = (await withTimeout(c.call('CLUSTER', 'NODES'), commandTimeoutMs)) as string;
        break;
      } catch (err) {
        errors.push(`${s.host}:${s.port}: ${(err as Error).message}`);
      } finally {
        c.disconnect();
      }
    }
    // The addresses come from the user (--redis): none answering is bad input, not a bug.
    if (text === null) throw new InputError([{ file: '<cli>', path: '--redis', message: `no Redis Cluster node answered (${errors.join('; ')})` }]);
    const list = parseMasters(text).map((m, index) => ({ index, ...m }));
    const clients = list.map((n) => client(n.host, n.port));
    try {
      await Promise.all(clients.map((c) => c.connect()));
    } catch (err) {
      for (const c of clients) c.disconnect();
      throw err;
    }
    return new RedisNodes(list, clients, commandTimeoutMs);
  }

  get length(): number {
    return this.list.length;
  }

  /** Bounds a command's promise (with-timeout.ts). */
  guard<T>(p: Promise<T>, n = 1): Promise<T> {
    return withTimeout(p, this.commandTimeoutMs + 2 * n);
  }

  /** Runs `cmds` as one pipeline on master `node`; the first error is thrown. */
  async exec(node: number, cmds: readonly Cmd[]): Promise<unknown[]> {
    if (cmds.length === 0) return [];
    // Pipeline entries name ioredis methods (lower case), then the arguments.
    const res = (await this.guard(this.clients[node].pipeline(cmds.map((c) => [String(c[0]).toLowerCase(), ...c.slice(1).map(String)])).exec(), cmds.length)) ?? [];
    return res.map(([err, v]) => {
      if (err) throw err;
      return v;
    });
  }

  call(node: number, ...args: (string | number)[]): Promise<unknown> {
    return this.guard(this.clients[node].call(String(args[0]), ...args.slice(1).map(String)));
  }

  async ping(node: number): Promise<void> {
    await this.guard(this.clients[node].ping());
  }

  async myself(node: number): Promise<MyselfView> {
    return parseMyself((await this.call(node, 'CLUSTER', 'NODES')) as string);
  }

  /** Owner node index per slot as master `via` sees it (−1: unowned or unknown master). */
  async owners(via: number): Promise<Int32Array> {
    const table = (await this.call(via, 'CLUSTER', 'SLOTS')) as SlotsRow[];
    return ownersFromTable(table, (host, port) => this.list.findIndex((n) => n.host === host && n.port === port));
  }

  /** Node index of a cluster node id (−1: not a master keycast knows). */
  indexOfId(id: string): number {
    return this.list.findIndex((n) => n.id === id);
  }

  close(): void {
    for (const c of this.clients) c.disconnect();
  }
}
