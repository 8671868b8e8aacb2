/// <reference types="node" />
// `npm run emulator` (emulator/cli.ts) as a user runs it, on a port another process holds.
import { spawn } from "node:child_process";
import { createServer, type AddressInfo, type Server } from "node:net";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TSX = `${ROOT}node_modules/tsx/dist/cli.mjs`;

/** A listener on 127.0.0.1:`port` (0: any free one), or undefined when another process holds it already. */
async function hold(port: number): Promise<Server | undefined> {
  const holder = createServer();
  return await new Promise<Server | undefined>((resolve, reject) => {
    holder.once("error", (error: NodeJS.ErrnoException) =>
      error.code === "EADDRINUSE" ? resolve(undefined) : reject(error),
    );
    holder.listen(port, "127.0.0.1", () => resolve(holder));
  });
}

/** What the CLI says on stderr when run on `port`, which is in use, and its exit code. */
async function runOn(port: number): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [TSX, "emulator/cli.ts", "--port", String(port)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, stderr: stderr.trim() };
}

const inUse = (port: number, suggested: number) =>
  `127.0.0.1:${port} is in use. If \`npm start\` is running, that is its Bedrock emulator, the same as this one: use it as it is (BEDROCK_ENDPOINT=http://127.0.0.1:${port}, the same credentials). Otherwise choose another port: npm run emulator -- --port ${suggested}`;

it("on a port in use, says so, that npm start's emulator may be the one there (usable as is), and the flag for another port", {
  timeout: 30_000,
}, async () => {
  const holder = await hold(0);
  const { port } = holder!.address() as AddressInfo;
  try {
    expect(await runOn(port)).toEqual({ code: 1, stderr: inUse(port, port + 1) });
  } finally {
    await new Promise<void>((resolve) => holder!.close(() => resolve()));
  }
});

it("on 65535 in use, suggests a port that exists (codereview28 #5)", { timeout: 30_000 }, async () => {
  // Held here, or by another process already: in use either way.
  const holder = await hold(65535);
  try {
    expect(await runOn(65535)).toEqual({ code: 1, stderr: inUse(65535, 65534) });
  } finally {
    if (holder) await new Promise<void>((resolve) => holder.close(() => resolve()));
  }
});
