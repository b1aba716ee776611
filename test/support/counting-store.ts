import type { Store, StoreTx } from '../../src/core/ports.js';

/** The calls a counting store saw, by method name, in order. Tests may empty the lists to count afresh. */
export interface StoreCalls {
  /** Methods called on the store itself (`transaction` among them); the store's own inner calls are not seen. */
  readonly direct: string[];
  /** Methods called on the `tx` of the transactions it ran. */
  readonly inTx: string[];
  /** Whether one of its transactions is running now. */
  readonly open: boolean;
}

/**
 * Wraps a store so that every method called on it, and on the `tx` each of its transactions is given,
 * is recorded by name: for tests that hold an operation to what it costs the store (a claim and one write
 * per delivery, no read of every owner, no report query inside a transaction). The calls go through
 * unchanged to the store (bound to it, so its calls on itself are not counted); properties that are not
 * methods are passed as they are.
 */
export function countingStore(inner: Store): { store: Store; calls: StoreCalls } {
  const state = { direct: [] as string[], inTx: [] as string[], open: false };
  const calls: StoreCalls = {
    direct: state.direct,
    inTx: state.inTx,
    get open() {
      return state.open;
    },
  };
  const transaction = async <T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> =>
    inner.transaction(async (tx) => {
      state.open = true;
      try {
        return await fn(recorded(tx, state.inTx));
      } finally {
        state.open = false;
      }
    });
  const store = recorded(inner, state.direct, { transaction });
  return { store, calls };
}

/** `target` with each method call recorded in `into` before it runs; `instead` replaces some methods. */
function recorded<T extends object>(target: T, into: string[], instead: Record<string, unknown> = {}): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      const value = (
        typeof prop === 'string' && Object.hasOwn(instead, prop) ? instead[prop] : Reflect.get(t, prop, receiver)
      ) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        into.push(String(prop));
        return (value as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}
