import { defineConfig } from 'vitest/config';

// Only the soak (test/model/soak.ts), which `npm test` leaves out: scripts/soak.sh.
export default defineConfig({
  test: { include: ['test/model/soak.ts'], testTimeout: 0, hookTimeout: 120_000 },
});
