import type * as api from '@opentelemetry/api';
import { PROPAGATION_LIMITS } from '../propagation/limits';

const { maxTracestateMembers } = PROPAGATION_LIMITS;

/**
 * OpenTelemetry's view of a W3C `tracestate`: immutable; `set` puts the member first, as
 * W3C asks of a vendor that updates its entry. Built from the string sextant keeps (already
 * checked on extraction), parsed only when a member is read or changed.
 *
 *     new W3CTraceState('rojo=00f067aa0ba902b7').set('congo', 't61rcWkgMzE').serialize();
 *     // 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7'
 */
export class W3CTraceState implements api.TraceState {
  private members: Map<string, string> | null = null;

  constructor(private readonly text: string) {}

  get(key: string): string | undefined {
    return this.parsed().get(key);
  }

  set(key: string, value: string): W3CTraceState {
    const members = new Map([[String(key), String(value)]]);
    for (const [k, v] of this.parsed()) if (k !== key && members.size < maxTracestateMembers) members.set(k, v);
    return W3CTraceState.of(members);
  }

  unset(key: string): W3CTraceState {
    const members = new Map(this.parsed());
    members.delete(key);
    return W3CTraceState.of(members);
  }

  serialize(): string {
    return this.text;
  }

  private parsed(): Map<string, string> {
    if (this.members !== null) return this.members;
    const members = new Map<string, string>();
    for (const member of this.text.split(',')) {
      const eq = member.indexOf('=');
      if (eq > 0 && !members.has(member.slice(0, eq))) members.set(member.slice(0, eq), member.slice(eq + 1));
    }
    this.members = members;
    return members;
  }

  private static of(members: Map<string, string>): W3CTraceState {
    const state = new W3CTraceState([...members].map(([k, v]) => `${k}=${v}`).join(','));
    state.members = members;
    return state;
  }
}
