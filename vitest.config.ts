import { defineConfig } from 'vitest/config';

/**
 * Test files run in worker threads that share loaded modules (no per-file isolation): the content, the
 * locales and the understanding model are loaded once per worker instead of once per file, which takes the
 * suite from ~100 s of CPU to ~60 s. Tests therefore keep no state in modules: each builds its own store,
 * clock and harness, and restores real timers after fake ones.
 */
export default defineConfig({
  test: {
    pool: 'threads',
    isolate: false,
    // A guard against a hung test, not a timing goal: under load (CI on 2 cores, another suite running) an
    // end-to-end conversation can take several seconds.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
