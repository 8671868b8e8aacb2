/// <reference types="node" />
// `npm run emulator` (emulator/cli.ts) as a user runs it, on a port another process holds.
import { spawn } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TSX = `${ROOT}node_modules/tsx/dist/cli.mjs`;

it("on a port in use, says so, that npm start's emulator may be the one there (usable as is), and the flag for another port", {
  timeout: 30_000,
}, async () => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  const { port } = holder.address() as AddressInfo;
  try {
    const child = spawn(process.execPath, [TSX, "emulator/cli.ts", "--port", String(port)], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      `127.0.0.1:${port} is in use. If \`npm start\` is running, that is its Bedrock emulator, the same as this one: use it as it is (BEDROCK_ENDPOINT=http://127.0.0.1:${port}, the same credentials). Otherwise choose another port: npm run emulator -- --port ${port + 1}`,
    );
  } finally {
    await new Promise<void>((resolve) => holder.close(() => resolve()));
  }
});
