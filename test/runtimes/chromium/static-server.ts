/// <reference types="node" />
// Serves the test page and its script from their own loopback origin, apart from the
// emulator's, so the page's calls are cross-origin.
import { createServer, type Server } from "node:http";

export interface StaticSite {
  url: string;
  close(): Promise<void>;
}

export async function serveStatic(files: Record<string, { type: string; body: string }>): Promise<StaticSite> {
  const server: Server = createServer((request, response) => {
    const file = files[new URL(request.url ?? "/", "http://page.test").pathname];
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": file.type, "cache-control": "no-store" });
    response.end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
