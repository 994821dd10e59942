// Lookups over the generated protocol table (../generated/table.ts), built once.
import { FAMILIES, PROTOCOLS, PROTOCOL_ALIASES } from '../generated/table.js';
import type { Family, ProtocolName } from './types.js';

type ProtocolRow = (typeof PROTOCOLS)[number];

/** Protocol rows by IP protocol number. */
export const PROTOCOL_BY_NUMBER: ReadonlyArray<ProtocolRow | undefined> = (() => {
  const a: Array<ProtocolRow | undefined> = new Array(256).fill(undefined);
  for (const p of PROTOCOLS) a[p.number] = p;
  return a;
})();

/** The most states any protocol has (TCP's 11). */
export const MAX_STATES = Math.max(...PROTOCOLS.map((p) => p.states.length));

/** State names by protocol number, attribute order (index = attr - 1). */
export const STATE_NAMES: ReadonlyArray<readonly string[] | undefined> = PROTOCOL_BY_NUMBER.map((p) => p?.states.map((s) => s.name));

/** State attribute numbers by protocol number, keyed by the state's name. */
export const STATE_ATTRS: ReadonlyArray<ReadonlyMap<string, number> | undefined> = PROTOCOL_BY_NUMBER.map(
  (p) => p && new Map(p.states.map((s) => [s.name, s.attr])),
);

/** Family names by l3proto number (an array: read per policy on the decode path, where a Map lookup costs more). */
export const FAMILY_NAMES: readonly (Family | undefined)[] = FAMILIES.reduce<(Family | undefined)[]>((a, f) => ((a[f.number] = f.name), a), []);
const FAMILY_BY_NAME = new Map<string, number>(FAMILIES.map((f) => [f.name, f.number]));
const PROTOCOL_BY_NAME = new Map<string, ProtocolRow>([
  ...PROTOCOLS.map((p) => [p.name, p] as const),
  ...Object.entries(PROTOCOL_ALIASES).map(([alias, name]) => [alias, PROTOCOLS.find((p) => p.name === name)!] as const),
]);

/** The protocol row for a name, alias (/etc/protocols spelling) or number. */
export function findProtocol(p: string | number): ProtocolRow | undefined {
  return typeof p === 'number' ? PROTOCOL_BY_NUMBER[p] : PROTOCOL_BY_NAME.get(p);
}

/** The l3proto number for a family name. */
export function familyNumber(f: string): number | undefined {
  return FAMILY_BY_NAME.get(f);
}

export function protocolNames(): ProtocolName[] {
  return PROTOCOLS.map((p) => p.name);
}
