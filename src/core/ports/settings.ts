/** Named counters and small settings. */
export interface SettingStore {
  /** Atomically increments and returns the named counter (first value 1). */
  nextSequence(name: string): Promise<number>;

  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
}
