import type { EventEmitter } from 'node:events';

type Listener = (...args: unknown[]) => unknown;
type ListenerMethod = (event: string | symbol, listener: Listener) => EventEmitter;

const ADD_METHODS = ['on', 'addListener', 'prependListener', 'once', 'prependOnceListener'] as const;
const REMOVE_METHODS = ['off', 'removeListener'] as const;

/** Per bound emitter: event name -> original listener -> its bound wrapper. */
const BOUND_LISTENERS = Symbol('sextant.boundListeners');

let adding = false;

interface PatchedEmitter extends EventEmitter {
  [BOUND_LISTENERS]?: Map<string | symbol, WeakMap<Listener, Listener>>;
}

/**
 * Makes every listener added to `emitter` from now on run through `wrap`, and keeps
 * `removeListener(original)` working. An emitter is patched once; later binds keep the first.
 */
export function bindEmitter<E extends EventEmitter>(emitter: E, wrap: (listener: Listener) => Listener): E {
  const patched = emitter as PatchedEmitter;
  if (patched[BOUND_LISTENERS] !== undefined) return emitter;
  const byEvent = new Map<string | symbol, WeakMap<Listener, Listener>>();
  Object.defineProperty(patched, BOUND_LISTENERS, { value: byEvent, enumerable: false });

  for (const name of ADD_METHODS) {
    const original = patched[name] as ListenerMethod;
    if (typeof original !== 'function') continue;
    (patched as unknown as Record<string, ListenerMethod>)[name] = function (this: EventEmitter, event, listener) {
      // Node's once() adds its wrapper through on(): that inner call must not wrap again.
      if (typeof listener !== 'function' || adding) return original.call(this, event, listener);
      let wrappers = byEvent.get(event);
      if (wrappers === undefined) byEvent.set(event, (wrappers = new WeakMap()));
      let bound = wrappers.get(listener);
      if (bound === undefined) wrappers.set(listener, (bound = wrap(listener)));
      adding = true;
      try {
        return original.call(this, event, bound);
      } finally {
        adding = false;
      }
    };
  }
  for (const name of REMOVE_METHODS) {
    const original = patched[name] as ListenerMethod;
    if (typeof original !== 'function') continue;
    (patched as unknown as Record<string, ListenerMethod>)[name] = function (this: EventEmitter, event, listener) {
      const bound = byEvent.get(event)?.get(listener);
      return original.call(this, event, bound ?? listener);
    };
  }
  return emitter;
}
