import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../src/engine/random.ts';
import type { ClusterConfig } from '../../src/cluster/config.ts';
import { drawFaults, drawsFaults, faultKey, progressTransfers, type SimOp, type TransferHost } from '../../src/cluster/sim-operation.ts';

const noFaults: ClusterConfig['faults'] = { opFailureRate: 0, crashes: [] };

function op(id: number, src: number, dst: number, bytes: number, over: Partial<SimOp> = {}): SimOp {
  return { id, action: { kind: 'move', partition: `p${id}`, node: dst }, startMs: 0, state: 'transfer', slow: 1, bytesTotal: bytes, bytesSent: 0, src, dst, range: { start: 0, end: 1 }, partitions: [`p${id}`], ...over };
}

function host(downNodes: number[] = []): TransferHost & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    down: (n) => downNodes.includes(n),
    moved: (b) => log.push(`moved ${b}`),
    fail: (o, reason) => log.push(`fail ${o.id}: ${reason}`),
    sent: (o, at) => log.push(`sent ${o.id} at ${at}`),
  };
}

describe('a simulated operation', () => {
  it('draws nothing without fault rates, and the same faults from the same stream', () => {
    expect(drawsFaults(noFaults)).toBe(false);
    expect(drawsFaults({ ...noFaults, slowOpRate: 0.1 })).toBe(true);
    const f = { ...noFaults, opFailureRate: 1, stuckOpRate: 1, slowOpRate: 1, slowFactor: 4 };
    const a = drawFaults(f, new RandomStream('x', 's'));
    expect(a.stuck).toBe(true);
    expect(a.slow).toBe(4);
    expect(a.failAt).toBeGreaterThanOrEqual(0);
    expect(a.failAt).toBeLessThan(1);
    expect(drawFaults(f, new RandomStream('x', 's'))).toEqual(a);
    expect(drawFaults({ ...noFaults, opFailureRate: 1e-12 }, new RandomStream('x', 's'))).toEqual({ failAt: undefined, stuck: false, slow: 1 });
  });

  it('names its fault draws by time, kind, range and nodes', () => {
    expect(faultKey(5000, op(1, 0, 2, 10))).toBe('5000|move|0-1|0>2');
  });

  it('transfers share a node’s bandwidth equally and finish at the exact instant', () => {
    const h = host();
    // two moves out of node 0: 100 B/s each; the 50-byte one finishes half-way through the tick
    const a = op(1, 0, 1, 50);
    const b = op(2, 0, 2, 1000);
    const use = progressTransfers([a, b], 0, 1000, 200, h);
    expect(h.log).toEqual(['moved 50', 'sent 1 at 500', 'moved 100']);
    expect(b.bytesSent).toBe(100);
    expect(use[0]).toBe(150);
    expect(use[1]).toBe(50);
    expect(use[2]).toBe(100);
  });

  it('a transfer fails at its failAt share of the bytes, or when a node of it is down', () => {
    const h = host([3]);
    const failing = op(1, 0, 1, 1000, { failAt: 0.05 });
    const crashed = op(2, 3, 4, 1000);
    progressTransfers([failing, crashed], 0, 1000, 100, h);
    expect(h.log).toEqual(['moved 50', 'fail 1: transfer failed part-way', 'fail 2: a node of the move crashed']);
    expect(failing.bytesSent).toBe(50);
  });

  it('a slow transfer moves `slow` times less; operations not transferring are left alone', () => {
    const h = host();
    const slow = op(1, 0, 1, 1000, { slow: 4 });
    const pausing = op(2, 0, 1, 1000, { state: 'pause' });
    progressTransfers([slow, pausing], 0, 1000, 400, h);
    expect(slow.bytesSent).toBe(100);
    expect(pausing.bytesSent).toBe(0);
  });
});
