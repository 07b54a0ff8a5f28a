/** The part of vega-statistics (no bundled types) keycast uses. */
declare module 'vega-statistics' {
  /** Φ⁻¹(p)·stdev + mean (Giles' double-precision erfinv). */
  export function quantileNormal(p: number, mean?: number, stdev?: number): number;
  /** Φ((value − mean) / stdev) (West's double-precision approximation). */
  export function cumulativeNormal(value: number, mean?: number, stdev?: number): number;
}
