import type { EventEmitter } from 'node:events';

type Listener = (...args: unknown[]) => unknown;
type ListenerMethod = (this: EventEmitter, event: string | symbol, listener: Listener) => EventEmitter;

type AddMethod = 'on' | 'addListener' | 'prependListener' | 'once' | 'prependOnceListener';
type RemoveMethod = 'off' | 'removeListener';
type MethodName = AddMethod | RemoveMethod;

const BINDING = Symbol('sextant.emitterBinding');

/** What one bound emitter remembers: how to wrap, what it wrapped, and its own methods. */
interface Binding {
  wrap: (listener: Listener) => Listener;
  /** event name -> original listener -> its wrapper; made on the first listener added */
  byEvent: Map<string | symbol, WeakMap<Listener, Listener>> | null;
  originals: Record<MethodName, ListenerMethod>;
}

interface BoundEmitter extends EventEmitter {
  [BINDING]?: Binding;
}

// Node's once() adds its own wrapper through on(): that inner call must not wrap again.
let adding = false;

function wrapperFor(binding: Binding, event: string | symbol, listener: Listener): Listener {
  if (binding.byEvent === null) binding.byEvent = new Map();
  let wrappers = binding.byEvent.get(event);
  if (wrappers === undefined) binding.byEvent.set(event, (wrappers = new WeakMap()));
  let bound = wrappers.get(listener);
  if (bound === undefined) wrappers.set(listener, (bound = binding.wrap(listener)));
  return bound;
}

// One shared function per method, not a closure per emitter: binding req and res on every
// request then costs a few property writes, not fourteen fresh closures.
function adder(name: AddMethod): ListenerMethod {
  return function (this: BoundEmitter, event, listener) {
    const binding = this[BINDING] as Binding;
    const original = binding.originals[name];
    if (typeof listener !== 'function' || adding) return original.call(this, event, listener);
    const bound = wrapperFor(binding, event, listener);
    adding = true;
    try {
      return original.call(this, event, bound);
    } finally {
      adding = false;
    }
  };
}

function remover(name: RemoveMethod): ListenerMethod {
  return function (this: BoundEmitter, event, listener) {
    const binding = this[BINDING] as Binding;
    const bound = binding.byEvent?.get(event)?.get(listener);
    return binding.originals[name].call(this, event, bound ?? listener);
  };
}

const PATCHED: Record<MethodName, ListenerMethod> = {
  on: adder('on'),
  addListener: adder('addListener'),
  prependListener: adder('prependListener'),
  once: adder('once'),
  prependOnceListener: adder('prependOnceListener'),
  off: remover('off'),
  removeListener: remover('removeListener'),
};

/**
 * Makes every listener added to `emitter` from now on run through `wrap`, and keeps
 * `removeListener(original)` working. An emitter is bound once; later binds keep the first.
 */
export function bindEmitter<E extends EventEmitter>(emitter: E, wrap: (listener: Listener) => Listener): E {
  const target = emitter as BoundEmitter;
  if (target[BINDING] !== undefined) return emitter;
  target[BINDING] = {
    wrap,
    byEvent: null,
    originals: {
      on: target.on,
      addListener: target.addListener,
      prependListener: target.prependListener,
      once: target.once,
      prependOnceListener: target.prependOnceListener,
      off: target.off,
      removeListener: target.removeListener,
    } as Record<MethodName, ListenerMethod>,
  };
  const writable = target as unknown as Record<MethodName, ListenerMethod>;
  writable.on = PATCHED.on;
  writable.addListener = PATCHED.addListener;
  writable.prependListener = PATCHED.prependListener;
  writable.once = PATCHED.once;
  writable.prependOnceListener = PATCHED.prependOnceListener;
  writable.off = PATCHED.off;
  writable.removeListener = PATCHED.removeListener;
  return emitter;
}
