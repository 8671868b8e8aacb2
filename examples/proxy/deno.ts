// The bedrock-edge proxy on Deno. Configuration comes from the environment, under the same names
// as the Worker's bindings (MODELS, PROXY_API_KEYS, AWS_*, BEDROCK_ENDPOINT…), plus PORT and HOST.
//   deno run --allow-net --allow-env examples/proxy/deno.ts
import { createApp, servedRequest } from "../../worker/mod.ts";

// The few Deno APIs used here, declared so the file type-checks without Deno's own types.
declare const Deno: {
  env: { get(name: string): string | undefined; toObject(): Record<string, string> };
  serve(
    options: { port: number; hostname: string; onListen?: (address: { hostname: string; port: number }) => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { finished: Promise<void> };
};

/** How long after the server stopped it is served again, and between tries while that fails. */
const SERVE_AGAIN_MS = 1000;

const app = createApp({ env: Deno.env.toObject() });
// Loopback unless told otherwise: exposing the proxy is a decision, not a default.
const hostname = Deno.env.get("HOST") ?? "127.0.0.1";
let port = Number(Deno.env.get("PORT") ?? 8787);
/** When the server stopped, until it answers a request again. */
let stoppedAt: number | undefined;
let listened = false;
/** Each server's number, and that of the last one that stopped. */
let started = 0;
let stoppedServer = 0;

// Deno.serve stops for good when accepting a connection fails (EMFILE: Deno 2.9 closes neither an
// idle connection nor one whose request head never ends, so a client holding as many as the fd
// limit stops the server), and the process would exit. Served again instead, once it can be: when
// those connections close (docs/RUNTIMES.md, Deno).
function serve(): void {
  // Only a server started after the stop says the proxy answers again: one that stopped goes on
  // serving the connections it had accepted, which says nothing of whether new ones are.
  const mine = ++started;
  try {
    const server = Deno.serve(
      {
        port,
        hostname,
        onListen: (address) => {
          // The port Deno chose for PORT=0, kept when serving again.
          port = address.port;
          if (!listened) console.log(`bedrock-edge proxy listening on http://${hostname}:${port}`);
          listened = true;
        },
      },
      // Deno builds request.url from the Host header as the client wrote it (servedRequest, worker/served-request.ts).
      (request) => {
        if (stoppedAt !== undefined && mine > stoppedServer) {
          console.error(`bedrock-edge proxy serving again, ${Date.now() - stoppedAt} ms after it stopped`);
          stoppedAt = undefined;
        }
        const served = servedRequest(request);
        return served instanceof Response ? served : app.fetch(served);
      },
    );
    server.finished.then(undefined, (error: unknown) => serveAgain(error, mine));
  } catch (error) {
    // A first listen that fails (the port taken, say) ends the process as before; a later one may
    // fail only for want of a file descriptor, which listening takes too.
    if (!listened) throw error;
    serveAgain(error, mine);
  }
}

// One line when the server stops and one when it answers again, none for each try between: while
// the connections that took every descriptor stay open, it may stop again as soon as it listens.
function serveAgain(error: unknown, server: number): void {
  // Every server that stops is one whose connections say nothing, the first of an outage or not.
  stoppedServer = Math.max(stoppedServer, server);
  if (stoppedAt === undefined) {
    stoppedAt = Date.now();
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`bedrock-edge proxy stopped serving (${reason}): trying again every ${SERVE_AGAIN_MS} ms`);
  }
  setTimeout(serve, SERVE_AGAIN_MS);
}

serve();
