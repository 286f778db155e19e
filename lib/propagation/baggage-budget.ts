import { EMPTY_BAGGAGE } from '../span-context';
import type { Baggage } from '../span-context';
import { encodeBaggageKey, encodeBaggageValue } from './baggage-text';
import { PROPAGATION_LIMITS } from './limits';

const { maxBaggageMembers, maxBaggageBytes, maxBaggageMemberBytes } = PROPAGATION_LIMITS;
const hasOwn = Object.prototype.hasOwnProperty;
/**
 * Baggage items looked at per inject. Items are skipped when they do not fit, so without a
 * bound a baggage of a million items would be encoded whole on every inject.
 */
const MAX_EXAMINED_ITEMS = 1024;

/** One baggage item on its way out, in the forms the formats write. */
export interface BaggageMember {
  readonly key: string;
  readonly value: string;
  /** the key and value percent-encoded, as W3C `baggage` and jaeger `uberctx-*` send them */
  readonly encodedKey: string;
  readonly encodedValue: string;
}

/** A format that writes baggage, as the budget sees it. */
export interface BaggageCarrying {
  /**
   * The bytes this format puts on the wire for `member`, written as its `index`th member:
   * header name and value for one header per item, the member and its `,` for a list in one
   * header. 0 when the format cannot carry the member (it then skips it).
   */
  baggageBytes(member: BaggageMember, index: number): number;
}

const NO_MEMBERS: readonly BaggageMember[] = Object.freeze([]);

/**
 * The baggage members that every format in `formats` writes, chosen so that the bytes all
 * of them write together stay within `maxBaggageBytes` (8192): a downstream server with
 * Node's default 16 KiB header limit never refuses the request for its baggage.
 *
 * The budget is spent member by member, in baggage order: a member is kept when its cost
 * summed over every format still fits, so each format carries the same members (a reader
 * of any one of them sees the same baggage). A member that does not fit is skipped and
 * smaller later ones may still be kept. At most `maxBaggageMembers` members; a member whose
 * encoded `key=value` passes `maxBaggageMemberBytes` is skipped everywhere. At most the first
 * 1024 items are looked at.
 *
 *     planBaggage({ tenant: 'acme' }, [w3cBaggage, jaeger]);
 *     // [{ key: 'tenant', value: 'acme', encodedKey: 'tenant', encodedValue: 'acme' }]
 */
export function planBaggage(baggage: Baggage, formats: readonly BaggageCarrying[]): readonly BaggageMember[] {
  if (baggage === EMPTY_BAGGAGE || formats.length === 0) return NO_MEMBERS;
  let members: BaggageMember[] | null = null;
  let bytes = 0;
  let examined = 0;
  for (const key in baggage) {
    if (++examined > MAX_EXAMINED_ITEMS) break;
    if (!hasOwn.call(baggage, key) || key.length === 0) continue;
    const index = members === null ? 0 : members.length;
    if (index >= maxBaggageMembers) break;
    const value = String(baggage[key]);
    const encodedKey = encodeBaggageKey(key);
    const encodedValue = encodeBaggageValue(value);
    if (encodedKey.length + 1 + encodedValue.length > maxBaggageMemberBytes) continue;
    const member: BaggageMember = { key, value, encodedKey, encodedValue };
    let cost = 0;
    for (let f = 0; f < formats.length; f++) cost += formats[f].baggageBytes(member, index);
    if (bytes + cost > maxBaggageBytes) continue;
    bytes += cost;
    if (members === null) members = [member];
    else members.push(member);
  }
  return members ?? NO_MEMBERS;
}
