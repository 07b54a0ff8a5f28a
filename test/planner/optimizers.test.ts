/** Every optimizer runs the shared contract. */
import { annealing, exact, genetic, greedy, staged } from '../../src/planner/index.ts';
import { runOptimizerContract } from './optimizer-contract.ts';

runOptimizerContract({ make: () => annealing() });
runOptimizerContract({ make: () => genetic() });
runOptimizerContract({ make: () => exact() });
runOptimizerContract({ make: () => staged() });
// Greedy is the local baseline (Slicer-style): it starts from the current map, so it gets a looser bound.
runOptimizerContract({ make: () => greedy(), quality: 1.3 });
