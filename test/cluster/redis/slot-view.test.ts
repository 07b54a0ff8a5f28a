/**
 * Parsing what a master says about slots: owned ranges and open markers of the `myself` line of
 * CLUSTER NODES, the masters of the whole listing, every node's config epoch, and a CLUSTER SLOTS table as owners per slot.
 */
import { describe, expect, it } from 'vitest';
import { ownersFromTable, parseConfigEpochs, parseMasters, parseMyself } from '../../../src/cluster/redis/slot-view.ts';

const NODES = [
  'aaa 127.0.0.1:7001@17001 master - 0 1 2 connected 5461-10922',
  'bbb 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5 7 9-10 [11->-aaa] [12-<-ccc]',
  'ccc 127.0.0.1:7002@17002 master,fail?,noaddr - 0 1 3 connected',
  'ddd 127.0.0.1:7003@17003 slave bbb 0 1 1 connected',
  '',
].join('\n');

describe('slot view', () => {
  it('reads owned slots and open slots (migrating to, importing from) of the myself line', () => {
    const v = parseMyself(NODES);
    expect(v.id).toBe('bbb');
    expect([...v.owned].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 7, 9, 10]);
    expect([...v.migrating]).toEqual([[11, 'aaa']]);
    expect([...v.importing]).toEqual([[12, 'ccc']]);
  });
  it('lists masters by port, leaving out replicas and masters without an address', () => {
    expect(parseMasters(NODES)).toEqual([
      { id: 'bbb', host: '127.0.0.1', port: 7000 },
      { id: 'aaa', host: '127.0.0.1', port: 7001 },
    ]);
  });
  it("reads every node's config epoch (the seventh field), replicas and failing nodes included", () => {
    expect([...parseConfigEpochs(NODES)]).toEqual([
      ['aaa', 2],
      ['bbb', 1],
      ['ccc', 3],
      ['ddd', 1],
    ]);
  });
  it('turns CLUSTER SLOTS into an owner per slot (−1 where none or unknown)', () => {
    const own = ownersFromTable(
      [
        [0, 9, ['127.0.0.1', 7000]],
        [20, 29, ['127.0.0.1', 7009]],
      ],
      (h, p) => (p === 7000 ? 0 : -1),
    );
    expect(own[0]).toBe(0);
    expect(own[9]).toBe(0);
    expect(own[10]).toBe(-1);
    expect(own[25]).toBe(-1);
    expect(own.length).toBe(16384);
  });
});
