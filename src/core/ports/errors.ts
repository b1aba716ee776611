/** Named infrastructure failure with a stable code; context never holds a secret. */
export class StoreError extends Error {
  constructor(
    readonly code: 'STORE_UNAVAILABLE' | 'STORE_CONFLICT' | 'STORE_MIGRATION' | 'STORE_CORRUPT',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}
