import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'ui/build/**', 'ui/.svelte-kit/**', '.data/**', '.tools/**'],
    // Integration tests start real Temporal dev servers and worker processes; one file at a time per core.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
