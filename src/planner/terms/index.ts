/** The default cost terms, in report order. */
import type { CostTerm } from '../cost-term.ts';
import { imbalanceTerm } from './imbalance.ts';
import { overloadTerm } from './overload.ts';
import { nodeBalanceTerm } from './node-balance.ts';
import { movementTerm } from './movement.ts';
import { latencyTerm } from './latency.ts';
import { partitionCountTerm } from './partition-count.ts';
import { validNodesTerm } from './valid-nodes.ts';

export { imbalanceTerm, overloadTerm, nodeBalanceTerm, movementTerm, latencyTerm, partitionCountTerm, validNodesTerm };

export const defaultTerms: readonly CostTerm[] = [
  imbalanceTerm,
  overloadTerm,
  nodeBalanceTerm,
  movementTerm,
  latencyTerm,
  partitionCountTerm,
  validNodesTerm,
];
