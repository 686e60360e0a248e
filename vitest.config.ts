import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Files share one PostgreSQL server but each gets its own database.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // The JetStream adapter's tests need a NATS server (NATS_URL, set by .ci/run when the machine
      // has one); without it they are skipped, and the adapter is left out of the measure rather
      // than counted as untested.
      exclude: process.env.NATS_URL
        ? []
        : ['src/platform/events/jetstream.ts', 'src/platform/events/jetstream/**'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 90 },
    },
  },
});
