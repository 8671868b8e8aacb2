import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: ["test/**/*.test.ts", "src/**/*.test.ts", "emulator/**/*.test.ts", "worker/**/*.test.ts"],
          exclude: ["test/workerd/**", "node_modules/**"],
          testTimeout: 20_000,
        },
      },
      {
        // The Worker bundle in workerd (Miniflare) + the emulator on loopback: test/workerd/README.md.
        test: {
          name: "workerd",
          include: ["test/workerd/**/*.test.ts"],
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
