/// <reference types="node" />
// A fetch on node:http and node:https with a keep-alive pool, for createBedrock({ fetch }) in
// Node. The library stays on fetch; this only swaps what carries its requests. Node 20's global
// fetch (undici) costs several times node:http per call, which a plain call to Bedrock feels.
//
// What it does not do, because Bedrock never needs it: follow redirects (a 3xx is answered as
// it came), decompress (no accept-encoding is sent, so none comes back), cookies, caching, CORS.
import {
  type ClientRequest,
  Agent as HttpAgent,
  type IncomingMessage,
  request as httpRequest,
  type RequestOptions,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

export interface NodeFetchOptions {
  /**
   * Connections open at once per host and port (default: no limit, as Node's own global agent
   * and fetch). A stream holds its connection for its whole length, so with a limit that many
   * open streams queue every other call to the host, unsent, until its timeout ends it.
   */
  maxSockets?: number | undefined;
  /** How long an unused connection stays open, in ms (default 30 s: shorter than Bedrock's idle cut-off). */
  idleMs?: number | undefined;
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
    // No cap by default: one tenant's open streams must never starve another's calls (isolation51 #2).
    maxSockets: options.maxSockets ?? Number.POSITIVE_INFINITY,
    // What a burst leaves idle: the 50 most recent (lifo) stay open for reuse, the rest close.
    maxFreeSockets: 50,
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

/** Whether a failed attempt may be sent again: it died on a pooled socket the server had closed. */
function staleSocket(call: ClientRequest, error: NodeJS.ErrnoException): boolean {
  // Node's own advice (request.reusedSocket): a server may close a kept-alive connection just as
  // it is reused; nothing of the request was answered, and a new connection serves it.
  return call.reusedSocket && (error.code === "ECONNRESET" || error.code === "EPIPE");
}

function send(request: Outgoing, options: RequestOptions, retried = false): Promise<Response> {
  const { signal } = request;
  return new Promise<Response>((resolve, reject) => {
    const call = (options.protocol === "https:" ? httpsRequest : httpRequest)(options);
    let answered: IncomingMessage | undefined;
    let body: ResponseBody | undefined;
    const onAbort = () => {
      const reason: unknown = signal?.reason;
      // Before the answer, fetch rejects; after it, reading the body fails.
      if (answered) body?.fail(reason);
      else reject(reason);
      call.destroy();
    };
    const done = () => signal?.removeEventListener("abort", onAbort);
    signal?.addEventListener("abort", onAbort, { once: true });
    call.once("error", (error: NodeJS.ErrnoException) => {
      done();
      if (answered) return;
      if (!retried && !signal?.aborted && staleSocket(call, error)) resolve(send(request, options, true));
      else reject(new TypeError("fetch failed", { cause: error }));
    });
    // A connection that ends with no answer and no error (a 101 nobody asked for, after which
    // Node hands the socket to an upgrade no one listens to) must still settle the call.
    call.once("close", () => {
      if (answered) return;
      done();
      reject(new TypeError("fetch failed: the connection closed without an answer"));
    });
    call.once("response", (message) => {
      answered = message;
      const status = message.statusCode ?? 0;
      const nullBody = request.method === "HEAD" || NULL_BODY_STATUSES.has(status);
      if (nullBody) {
        message.resume();
        message.once("end", done);
      } else {
        body = responseBody(message, done);
      }
      const stream = body?.stream ?? null;
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

/** Past this much unread, the socket is no longer read (backpressure). */
const MAX_UNREAD_BYTES = 64 * 1024;

interface ResponseBody {
  stream: ReadableStream<Uint8Array>;
  /** Errors the body with `reason` (an abort after the answer began). */
  fail(reason: unknown): void;
}

/**
 * The answer's body. Whatever arrived since the last read is handed out as one piece: a socket
 * read often carries several event-stream frames, and a reader woken once per frame (as a
 * stream fed chunk by chunk would) makes a relay write once per frame too. Reading stops while
 * MAX_UNREAD_BYTES wait unread.
 */
function responseBody(message: IncomingMessage, done: () => void): ResponseBody {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let unread: Uint8Array[] = [];
  let unreadBytes = 0;
  let ended = false;
  let failure: { reason: unknown } | undefined;
  let cancelled = false;
  // Resolves the read waiting for bytes, if one is: the next piece, the end or a failure does.
  let waiting: (() => void) | undefined;
  const wake = () => {
    const resolve = waiting;
    waiting = undefined;
    resolve?.();
  };
  const forget = () => {
    unread = [];
    unreadBytes = 0;
  };
  // As fetch does, a failed body fails its reads at once, even with bytes still unread.
  const fail = (reason: unknown) => {
    if (failure || cancelled) return;
    failure = { reason };
    forget();
    controller?.error(reason);
    done();
    wake();
  };
  message.on("data", (chunk: Buffer) => {
    if (cancelled || failure) return;
    unread.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    unreadBytes += chunk.byteLength;
    if (unreadBytes >= MAX_UNREAD_BYTES) message.pause();
    wake();
  });
  message.once("end", () => {
    ended = true;
    done();
    wake();
  });
  message.once("error", (error) => fail(new TypeError("terminated", { cause: error })));
  // The connection ended before the body did.
  message.once("aborted", () => fail(new TypeError("terminated: the connection closed mid-body")));

  /** Hands out what is there (all of it, as one piece), or the end; false when there is nothing yet. */
  const take = (to: ReadableStreamDefaultController<Uint8Array>): boolean => {
    if (failure || cancelled) return true;
    if (unreadBytes > 0) {
      to.enqueue(unread.length === 1 ? unread[0]! : joined(unread, unreadBytes));
      forget();
      message.resume();
      return true;
    }
    if (!ended) return false;
    to.close();
    return true;
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(to) {
        controller = to;
      },
      pull(to) {
        if (take(to)) return;
        return new Promise<void>((resolve) => (waiting = resolve)).then(() => void take(to));
      },
      cancel() {
        cancelled = true;
        forget();
        done();
        wake();
        message.destroy();
      },
    },
    // Pulled only while a read waits: what arrives meanwhile gathers in `unread`.
    { highWaterMark: 0 },
  );
  return { stream, fail };
}

function joined(pieces: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.byteLength;
  }
  return out;
}

/** Every header as sent, repeated ones included (rawHeaders keeps them apart). */
function headersOf(message: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = message.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}
