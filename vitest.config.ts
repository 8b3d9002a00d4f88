import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start servers and write real files; two workers match the machine.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
