/// <reference types="node" />
// A fetch on node:http and node:https with a keep-alive pool, for createBedrock({ fetch }) in
// Node. The library stays on fetch; this only swaps what carries its requests. Node 20's global
// fetch (undici) costs several times node:http per call, which a plain call to Bedrock feels.
//
// What it does not do, because Bedrock never needs it: follow redirects (a 3xx is answered as
// it came), decompress (no accept-encoding is sent, so none comes back), cookies, caching, CORS.
import { Agent as HttpAgent, type IncomingMessage, request as httpRequest, type RequestOptions } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

export interface NodeFetchOptions {
  /** Connections kept per host and port (default 50, the AWS SDK's own). */
  maxSockets?: number;
  /** How long an unused connection stays open, in ms (default 30 s: shorter than Bedrock's idle cut-off). */
  idleMs?: number;
}

/** Statuses whose answer has no body: a Response refuses one for them. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** A fetch with its own pool of keep-alive connections; `destroy()` closes them. */
export interface NodeFetch {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>;
  destroy(): void;
}

export function createNodeFetch(options: NodeFetchOptions = {}): NodeFetch {
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets ?? 50,
    // The socket timeout of an agent only applies while a connection is idle in the pool.
    timeout: options.idleMs ?? 30_000,
    scheduling: "lifo" as const,
  };
  const http = new HttpAgent(agentOptions);
  const https = new HttpsAgent(agentOptions);
  const nodeFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const request = await outgoing(input, init);
    request.signal?.throwIfAborted();
    const secure = request.url.protocol === "https:";
    if (!secure && request.url.protocol !== "http:") {
      throw new TypeError(`fetch: unsupported protocol ${request.url.protocol}`);
    }
    return send(request, {
      method: request.method,
      protocol: request.url.protocol,
      hostname: request.url.hostname.replace(/^\[|\]$/g, ""),
      port: request.url.port || undefined,
      path: `${request.url.pathname}${request.url.search}`,
      headers: request.headers,
      agent: secure ? https : http,
    });
  };
  return Object.assign(nodeFetch, {
    destroy() {
      http.destroy();
      https.destroy();
    },
  });
}

/** The shared instance: one pool for the process. */
export const nodeFetch: NodeFetch = createNodeFetch();

interface Outgoing {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | string | undefined;
  signal: AbortSignal | undefined;
}

/** The request as plain values; bodies other than text and bytes are serialised as fetch would. */
async function outgoing(input: string | URL | Request, init: RequestInit): Promise<Outgoing> {
  const fromRequest = input instanceof Request ? input : undefined;
  const method = (init.method ?? fromRequest?.method ?? "GET").toUpperCase();
  const headers: Record<string, string> = {};
  new Headers(init.headers ?? fromRequest?.headers).forEach((value, name) => {
    headers[name] = value;
  });
  let body: Uint8Array | string | undefined;
  const given = init.body !== undefined ? init.body : fromRequest?.body;
  if (typeof given === "string") body = given;
  else if (given instanceof Uint8Array) body = given;
  else if (given instanceof ArrayBuffer) body = new Uint8Array(given);
  else if (ArrayBuffer.isView(given)) body = new Uint8Array(given.buffer, given.byteOffset, given.byteLength);
  else if (given !== null && given !== undefined) {
    // Blob, FormData, URLSearchParams, a stream: let the platform say how it is written.
    const serialised = new Response(given);
    body = new Uint8Array(await serialised.arrayBuffer());
    const type = serialised.headers.get("content-type");
    if (type && !("content-type" in headers)) headers["content-type"] = type;
  }
  if (body !== undefined) {
    headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
  }
  return {
    url: new URL(input instanceof Request ? input.url : input),
    method,
    headers,
    body,
    signal: init.signal ?? fromRequest?.signal ?? undefined,
  };
}

function send(request: Outgoing, options: RequestOptions): Promise<Response> {
  const { signal } = request;
  return new Promise<Response>((resolve, reject) => {
    const call = (options.protocol === "https:" ? httpsRequest : httpRequest)(options);
    let answered: IncomingMessage | undefined;
    let body: ReadableStreamDefaultController<Uint8Array> | undefined;
    const onAbort = () => {
      const reason: unknown = signal?.reason;
      // Before the answer, fetch rejects; after it, reading the body fails.
      if (answered) body?.error(reason);
      else reject(reason);
      call.destroy();
    };
    const done = () => signal?.removeEventListener("abort", onAbort);
    signal?.addEventListener("abort", onAbort, { once: true });
    call.once("error", (error) => {
      done();
      if (!answered) reject(new TypeError("fetch failed", { cause: error }));
    });
    call.once("response", (message) => {
      answered = message;
      const status = message.statusCode ?? 0;
      const nullBody = request.method === "HEAD" || NULL_BODY_STATUSES.has(status);
      let stream: ReadableStream<Uint8Array> | null = null;
      let cancelled = false;
      if (nullBody) {
        message.resume();
        message.once("end", done);
      } else {
        stream = new ReadableStream<Uint8Array>({
          start(controller) {
            body = controller;
            message.on("data", (chunk: Buffer) => {
              if (cancelled) return;
              controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
              // Backpressure: stop reading the socket until the reader catches up.
              if ((controller.desiredSize ?? 0) <= 0) message.pause();
            });
            message.once("end", () => {
              done();
              controller.close();
            });
            message.once("error", (error) => {
              done();
              controller.error(new TypeError("terminated", { cause: error }));
            });
            // The connection ended before the body did.
            message.once("aborted", () => {
              done();
              controller.error(new TypeError("terminated: the connection closed mid-body"));
            });
          },
          pull() {
            message.resume();
          },
          cancel() {
            cancelled = true;
            done();
            message.destroy();
          },
        });
      }
      try {
        resolve(new Response(stream, { status, statusText: message.statusMessage ?? "", headers: headersOf(message) }));
      } catch (error) {
        // A status a Response cannot carry (1xx): as fetch does, a network error.
        done();
        message.destroy();
        reject(new TypeError("fetch failed", { cause: error }));
      }
    });
    call.end(request.body);
  });
}

/** Every header as sent, repeated ones included (rawHeaders keeps them apart). */
function headersOf(message: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = message.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}
