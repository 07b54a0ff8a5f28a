/**
 * Stable colours: a policy kind has the same colour on every page (run, sweep, capacity), so a
 * reader learns them once. Several policies of one kind get shades of the kind's colour, in the
 * scenario's order. Red is kept for the SLO rule and failures.
 */

const KIND_COLORS: Record<string, readonly string[]> = {
  static: ['#7f7f7f', '#b0b0b0', '#545454'],
  'reactive-threshold': ['#f28e2b', '#ffbe7d', '#b8651b'],
  reactive: ['#4e79a7', '#a0cbe8', '#2c4f78'],
  predictive: ['#59a14f', '#8cd17d', '#357a2f'],
  oracle: ['#b07aa1', '#d4a6c8', '#7d4f70'],
};
const OTHER = ['#9c755f', '#edc948', '#76b7b2', '#ff9da7'];

/** Colour of the SLO rule and of failures. */
export const SLO_RED = '#d62728';

/** A Vega-Lite colour scale giving each policy its kind's colour. */
export function policyScale(policies: readonly { name: string; kind: string }[]): { domain: string[]; range: string[] } {
  const used = new Map<string, number>();
  const domain: string[] = [];
  const range: string[] = [];
  let other = 0;
  for (const p of policies) {
    const shades = KIND_COLORS[p.kind];
    const n = used.get(p.kind) ?? 0;
    used.set(p.kind, n + 1);
    domain.push(p.name);
    range.push(shades ? shades[n % shades.length] : OTHER[other++ % OTHER.length]);
  }
  return { domain, range };
}

/** The colour encoding of the `policy` field. */
export function policyColor(policies: readonly { name: string; kind: string }[], title = 'policy'): Record<string, unknown> {
  return { field: 'policy', type: 'nominal', title, scale: policyScale(policies) };
}

/** A policy's kind guessed from its name when no kind is recorded (sweep results): the names scenarios use. */
export function kindOfName(name: string): string {
  if (KIND_COLORS[name]) return name;
  if (/threshold/.test(name)) return 'reactive-threshold';
  for (const k of ['predictive', 'oracle', 'reactive', 'static']) if (name.includes(k)) return k;
  return name;
}
