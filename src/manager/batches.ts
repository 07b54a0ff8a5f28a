/** Batches of a plan: action i runs in batch 1 + max(batch of its dependencies). */

export function planBatches(n: number, dependsOn: readonly (readonly number[])[]): { batchOf: number[]; count: number } {
  const batchOf = new Array<number>(n).fill(-1);
  const visit = (i: number, depth: number): number => {
    if (depth > n) throw new Error('dependency cycle in plan');
    if (batchOf[i] >= 0) return batchOf[i];
    let b = 0;
    for (const d of dependsOn[i] ?? []) b = Math.max(b, visit(d, depth + 1) + 1);
    batchOf[i] = b;
    return b;
  };
  for (let i = 0; i < n; i++) visit(i, 0);
  return { batchOf, count: n === 0 ? 0 : Math.max(...batchOf) + 1 };
}
