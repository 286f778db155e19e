/**
 * Which instrumentations are on in this process, and whose they are: one
 * `diagnostics_channel` subscriber per instrumentation, so that `sextant/register`
 * loaded twice, or register plus a programmatic `instrument()`, never traces anything
 * twice. Kept on `globalThis` under a registered symbol, so two copies of sextant in
 * one process (a second install under node_modules) see each other's claims.
 */
const CLAIMS = Symbol.for('sextant.instrumentationClaims');

interface WithClaims {
  [CLAIMS]?: Map<string, object>;
}

function claims(): Map<string, object> {
  const scope = globalThis as WithClaims;
  let map = scope[CLAIMS];
  if (map === undefined) scope[CLAIMS] = map = new Map();
  return map;
}

/** Claims `name` for `owner`; false when someone else holds it. */
export function claim(name: string, owner: object): boolean {
  const map = claims();
  const holder = map.get(name);
  if (holder !== undefined && holder !== owner) return false;
  map.set(name, owner);
  return true;
}

/** Gives `name` back, if `owner` holds it. */
export function release(name: string, owner: object): void {
  const map = claims();
  if (map.get(name) === owner) map.delete(name);
}
