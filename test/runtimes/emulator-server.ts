/// <reference types="node" />
// The emulator every runtime test talks to: served from Node on a free loopback port, plus a
// second tiny server that answers its stream counters as JSON, so code running in another
// process (Deno, Bun, workerd, a browser page) can see that its abort reached the upstream.
import { createServer } from "node:http";
import { serveEmulator, type ServedEmulator } from "../../emulator/node.ts";
import type { StreamCounters } from "./scenario.ts";

export interface RuntimeEmulator {
  emulator: ServedEmulator;
  /** The emulator's base URL. */
  url: string;
  /** GET: the stream counters (CORS open, for the browser page). */
  statsUrl: string;
  close(): Promise<void>;
}

export async function startRuntimeEmulator(): Promise<RuntimeEmulator> {
  const emulator = await serveEmulator({ port: 0 });
  const stats = createServer((_request, response) => {
    const { activeStreams, cancelledStreams, completedStreams } = emulator.emulator.stats;
    const counters: StreamCounters = { activeStreams, cancelledStreams, completedStreams };
    response.writeHead(200, {
      "content-type": "application/json",
      "access-control-allow-origin": "*",
      "cache-control": "no-store",
    });
    response.end(JSON.stringify(counters));
  });
  await new Promise<void>((resolve) => stats.listen(0, "127.0.0.1", resolve));
  const address = stats.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    emulator,
    url: emulator.url,
    statsUrl: `http://127.0.0.1:${port}/stats`,
    async close() {
      stats.closeAllConnections();
      await Promise.all([new Promise<void>((resolve) => stats.close(() => resolve())), emulator.close()]);
    },
  };
}
