/// <reference types="node" />
// Serves the emulator over HTTP from Node with @hono/node-server's request listener.
//
// One port speaks both HTTP/1.1 (fetch, curl, browsers) and cleartext HTTP/2 with prior
// knowledge, which is what the official AWS SDK's Bedrock Runtime client uses in Node
// (NodeHttp2Handler): the first bytes of each connection pick the protocol. A client that goes
// away mid-stream reaches the stream's cancel(), as it would in any other runtime.

import { createServer as createHttp1Server } from "node:http";
import { constants as http2Constants, createServer as createHttp2Server, Http2ServerRequest } from "node:http2";
import { createServer as createTcpServer, type Socket } from "node:net";
import { getRequestListener, type Http2Bindings, type HttpBindings } from "@hono/node-server";
import { createEmulator, type Emulator, type EmulatorOptions } from "./handler.ts";

export interface ServeEmulatorOptions extends EmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number | undefined;
  /** Default 127.0.0.1. */
  hostname?: string | undefined;
}

export interface ServedEmulator {
  /** Base URL, e.g. `http://127.0.0.1:4010`: the `endpoint` for clients. */
  url: string;
  emulator: Emulator;
  close(): Promise<void>;
}

/** Every HTTP/2 connection opens with `PRI * HTTP/2.0`; no HTTP/1 method starts with `PRI `. */
const HTTP2_PREFACE_START = "PRI ";

export async function serveEmulator(options: ServeEmulatorOptions = {}): Promise<ServedEmulator> {
  const { port = 0, hostname = "127.0.0.1", ...emulatorOptions } = options;
  const emulator = createEmulator(emulatorOptions);
  // overrideGlobalObjects: false keeps the process's own Request/Response untouched.
  const listener = getRequestListener(
    async (request, env) => withConnectionDrop(await emulator.fetch(request), () => dropConnection(env)),
    { hostname, overrideGlobalObjects: false },
  );
  const http1 = createHttp1Server(listener);
  const http2 = createHttp2Server(listener);
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.once("data", (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      if (first.subarray(0, HTTP2_PREFACE_START.length).toString("latin1") === HTTP2_PREFACE_START) {
        http2.emit("connection", socket);
      } else {
        http1.emit("connection", socket);
        socket.resume();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const boundPort = typeof address === "object" && address !== null ? address.port : port;
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    url: `http://${host}:${boundPort}`,
    emulator,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/**
 * HTTP/1.1: cuts the TCP connection mid-body. HTTP/2: resets the stream with INTERNAL_ERROR, as a
 * proxy does when its upstream dies (destroying the whole session instead makes the AWS SDK's
 * HTTP/2 handler end the stream silently, which tests could not tell from a normal end).
 */
function dropConnection(env: HttpBindings | Http2Bindings): void {
  if (env.incoming instanceof Http2ServerRequest) env.incoming.stream.close(http2Constants.NGHTTP2_INTERNAL_ERROR);
  else env.incoming.socket.destroy();
}

/**
 * When a streamed body fails (the `drop<K>` option), cut the connection as a network failure
 * would, instead of letting the adapter log the error and append an error text to the body.
 */
function withConnectionDrop(response: Response, drop: () => void): Response {
  const source = response.body;
  if (!source || response.headers.get("content-type") !== "application/vnd.amazon.eventstream") return response;
  const reader = source.getReader();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch {
          drop();
        }
      },
      cancel(reason) {
        return reader.cancel(reason).catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { status: response.status, headers: response.headers });
}
