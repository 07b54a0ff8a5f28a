/** The part of cluster-key-slot (no bundled types) keycast uses: Redis Cluster's key → slot. */
declare module 'cluster-key-slot' {
  /** CRC16(key, or its `{hash tag}`) mod 16384, as Redis Cluster computes it. */
  function calculateSlot(key: string | Buffer): number;
  export default calculateSlot;
}
