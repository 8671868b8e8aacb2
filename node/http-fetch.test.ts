/// <reference types="node" />
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, createServer as createTcpServer, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { emulatorModelId } from "../emulator/model-id.ts";
import { type ServedEmulator, serveEmulator } from "../emulator/node.ts";
import { createBedrock } from "../src/index.ts";
import { createNodeFetch, type NodeFetch } from "./http-fetch.ts";

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

interface TestServer {
  url: string;
  connections: number;
  sockets: Set<Socket>;
  close(): Promise<void>;
}

async function serve(handler: Handler): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer(async (request, response) => {
    let body = "";
    for await (const chunk of request) body += chunk;
    handler(request, response, body);
  });
  const state = { connections: 0 };
  server.on("connection", (socket: Socket) => {
    state.connections++;
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return state.connections;
    },
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const echo: Handler = (request, response, body) => {
  response.setHeader("content-type", "application/json");
  response.end(JSON.stringify({ method: request.method, url: request.url, headers: request.headers, body }));
};

let fetcher: NodeFetch;
const servers: TestServer[] = [];
async function server(handler: Handler): Promise<TestServer> {
  const started = await serve(handler);
  servers.push(started);
  return started;
}

afterEach(async () => {
  fetcher?.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe("createNodeFetch: requests", () => {
  it("sends the method, path, query, headers and a text body, with its length", async () => {
    fetcher = createNodeFetch();
    const { url } = await server(echo);
    const response = await fetcher(`${url}/model/a%3Ab/invoke?x=1`, {
      method: "post",
      headers: { "x-one": "1", "content-type": "application/json" },
      body: '{"prompt":"héllo"}',
    });
    const seen = (await response.json()) as {
      method: string;
      url: string;
      headers: Record<string, string>;
      body: string;
    };
    expect(seen.method).toBe("POST");
    expect(seen.url).toBe("/model/a%3Ab/invoke?x=1");
    expect(seen.headers["x-one"]).toBe("1");
    expect(seen.headers["content-length"]).toBe(String(new TextEncoder().encode('{"prompt":"héllo"}').byteLength));
    expect(seen.body).toBe('{"prompt":"héllo"}');
  });

  it("sends bytes, form parameters (with their content type) and a Request's own body", async () => {
    fetcher = createNodeFetch();
    const { url } = await server(echo);
    const bytes = await (await fetcher(url, { method: "POST", body: new TextEncoder().encode("bytes") })).json();
    expect(bytes).toMatchObject({ body: "bytes" });
    const form = (await (await fetcher(url, { method: "POST", body: new URLSearchParams({ a: "1" }) })).json()) as {
      headers: Record<string, string>;
      body: string;
    };
    expect(form.body).toBe("a=1");
    expect(form.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    const fromRequest = await (
      await fetcher(new Request(`${url}/r`, { method: "PUT", headers: { "x-r": "yes" }, body: "from a Request" }))
    ).json();
    expect(fromRequest).toMatchObject({ method: "PUT", url: "/r", headers: { "x-r": "yes" }, body: "from a Request" });
  });

  it("keeps the connection open between calls (one socket for sequential calls)", async () => {
    fetcher = createNodeFetch();
    const test = await server(echo);
    for (let i = 0; i < 5; i++) await (await fetcher(test.url)).text();
    expect(test.connections).toBe(1);
  });

  it("fails with a TypeError when nothing listens, as fetch does", async () => {
    fetcher = createNodeFetch();
    const closed = await serve(echo);
    await closed.close();
    await expect(fetcher(closed.url)).rejects.toThrow(TypeError);
  });

  it("refuses a protocol other than http and https", async () => {
    fetcher = createNodeFetch();
    await expect(fetcher("ftp://127.0.0.1/")).rejects.toThrow(/unsupported protocol ftp:/);
  });
});

/** A server that writes `answer(index)` as the raw answer to each request head it reads. */
async function rawServer(answer: (socket: Socket, index: number) => void): Promise<{ url: string; close(): void }> {
  let index = 0;
  const tcp = createTcpServer((socket) => {
    let head = "";
    socket.on("error", () => undefined);
    socket.on("data", (data) => {
      head += data;
      if (!head.includes("\r\n\r\n")) return;
      head = "";
      answer(socket, index++);
    });
  });
  tcp.listen(0, "127.0.0.1");
  await once(tcp, "listening");
  return { url: `http://127.0.0.1:${(tcp.address() as AddressInfo).port}/`, close: () => tcp.close() };
}

describe("createNodeFetch: the pool (isolation51 #2)", () => {
  // A stream holds its connection for its whole length. With a cap per host (once 50), that many
  // open streams left every other call to the host queued in the pool, never sent, until its
  // timeout blamed Bedrock: one tenant's streams starved every other tenant's calls.
  it("streams held open never keep another call to the same host from being sent", async () => {
    fetcher = createNodeFetch();
    const held: ServerResponse[] = [];
    const { url } = await server((request, response) => {
      if (request.url === "/stream") {
        response.writeHead(200, { "content-type": "application/vnd.amazon.eventstream" });
        response.write("open");
        held.push(response);
      } else {
        response.end("plain");
      }
    });
    // As many as the old cap, then more: each answered, each holding its connection.
    const streams = await Promise.all(Array.from({ length: 50 }, () => fetcher(`${url}/stream`)));
    expect(held).toHaveLength(50);
    const plain = await fetcher(`${url}/plain`, { signal: AbortSignal.timeout(2000) });
    expect(await plain.text()).toBe("plain");
    streams.push(...(await Promise.all(Array.from({ length: 150 }, () => fetcher(`${url}/stream`)))));
    expect(held).toHaveLength(200);
    expect(await (await fetcher(`${url}/plain`, { signal: AbortSignal.timeout(2000) })).text()).toBe("plain");
    for (const response of held) response.end();
    await Promise.all(streams.map((stream) => stream.text()));
  });
});

describe("createNodeFetch: connections a server ends", () => {
  it("a pooled connection the server closed right after its answer: the next call goes on a new one", async () => {
    fetcher = createNodeFetch();
    // No `Connection: close`: the client pools the socket, which the server then ends.
    const raw = await rawServer((socket) => socket.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    try {
      const answers: string[] = [];
      for (let i = 0; i < 10; i++) answers.push(await (await fetcher(raw.url, { method: "POST", body: "x" })).text());
      expect(answers).toEqual(Array(10).fill("ok"));
    } finally {
      raw.close();
    }
  });

  it("a 101 nobody asked for, then the connection ends: a TypeError, as fetch gives, not a call that never settles", async () => {
    fetcher = createNodeFetch();
    const raw = await rawServer((socket) => {
      socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo\r\nConnection: Upgrade\r\n\r\n");
      setTimeout(() => socket.destroy(), 50);
    });
    try {
      await expect(fetcher(raw.url, { method: "POST", body: "x" })).rejects.toThrow(TypeError);
    } finally {
      raw.close();
    }
  });
});

describe("createNodeFetch: answers", () => {
  it("keeps repeated headers apart and the status text", async () => {
    fetcher = createNodeFetch();
    const { url } = await server((_, response) => {
      response.statusMessage = "Teapot Here";
      response.writeHead(418, [
        ["x-many", "a"],
        ["x-many", "b"],
        ["set-cookie", "one=1"],
        ["set-cookie", "two=2"],
      ]);
      response.end("short");
    });
    const response = await fetcher(url);
    expect(response.status).toBe(418);
    expect(response.statusText).toBe("Teapot Here");
    expect(response.ok).toBe(false);
    expect(response.headers.get("x-many")).toBe("a, b");
    expect(response.headers.getSetCookie()).toEqual(["one=1", "two=2"]);
    expect(await response.text()).toBe("short");
  });

  it("gives no body for 204 and for HEAD, and the connection stays usable", async () => {
    fetcher = createNodeFetch();
    const test = await server((request, response) => {
      if (request.method === "HEAD") response.writeHead(200, { "content-length": "5" }).end();
      else response.writeHead(204).end();
    });
    expect((await fetcher(test.url)).body).toBeNull();
    expect((await fetcher(test.url, { method: "HEAD" })).body).toBeNull();
    expect((await fetcher(test.url)).status).toBe(204);
    expect(test.connections).toBe(1);
  });

  it("stops reading the socket while the body is not read (backpressure)", async () => {
    fetcher = createNodeFetch();
    const total = 64 * 1024 * 1024;
    const piece = Buffer.alloc(64 * 1024, 120);
    let written = 0;
    const { url } = await server((_, response) => {
      response.writeHead(200, { "content-length": String(total) });
      const write = () => {
        while (written < total) {
          written += piece.byteLength;
          if (!response.write(piece)) return void response.once("drain", write);
        }
        response.end();
      };
      write();
    });
    const response = await fetcher(url);
    const reader = response.body!.getReader();
    await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Socket buffers on both sides hold a few MB at most; without backpressure all 64 MB arrive.
    expect(written).toBeLessThan(total / 4);
    await reader.cancel();
  });

  it("hands out what arrived since the last read as one piece, and waits for more when nothing has", async () => {
    fetcher = createNodeFetch();
    let sendLast: () => void = () => undefined;
    let flushed: () => void = () => undefined;
    const allFlushed = new Promise<void>((resolve) => (flushed = resolve));
    const { url } = await server((_, response) => {
      response.writeHead(200, { "content-type": "application/octet-stream" });
      // Three separate writes, each its own TCP segment, before anything is read.
      response.write("one;", () => response.write("two;", () => response.write("three;", () => flushed())));
      sendLast = () => response.end("last");
    });
    const response = await fetcher(url);
    const reader = response.body!.getReader();
    // Written to loopback, so in this process's receive buffer: the client's next socket read
    // (an event-loop turn, long before the timer) takes it in.
    await allFlushed;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const decoder = new TextDecoder();
    expect(decoder.decode((await reader.read()).value)).toBe("one;two;three;");
    const next = reader.read();
    setTimeout(() => sendLast(), 20);
    expect(decoder.decode((await next).value)).toBe("last");
    expect((await reader.read()).done).toBe(true);
  });

  it("fails the body read with a TypeError when the connection drops mid-body", async () => {
    fetcher = createNodeFetch();
    const { url } = await server((_, response) => {
      response.writeHead(200, { "content-length": "100000" });
      response.write("partial", () => response.socket?.destroy());
    });
    const response = await fetcher(url);
    await expect(response.text()).rejects.toThrow(TypeError);
  });
});

describe("createNodeFetch: aborts", () => {
  it("rejects with the signal's reason when aborted before the answer, and closes that connection", async () => {
    fetcher = createNodeFetch();
    const test = await server(() => undefined); // never answers
    const controller = new AbortController();
    const pending = fetcher(test.url, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const reason = new Error("stop now");
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect.poll(() => test.sockets.size).toBe(0);
  });

  it("rejects at once for a signal aborted already", async () => {
    fetcher = createNodeFetch();
    const test = await server(echo);
    await expect(fetcher(test.url, { signal: AbortSignal.abort("early") })).rejects.toBe("early");
    expect(test.connections).toBe(0);
  });

  it("fails the body with the reason when aborted mid-body, and the server sees the connection close", async () => {
    fetcher = createNodeFetch();
    let closed = false;
    const { url } = await server((_, response) => {
      response.writeHead(200, { "content-type": "text/plain" });
      response.write("first piece");
      response.once("close", () => (closed = true));
    });
    const controller = new AbortController();
    const response = await fetcher(url, { signal: controller.signal });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("first piece");
    controller.abort("client left");
    await expect(reader.read()).rejects.toBe("client left");
    await expect.poll(() => closed).toBe(true);
  });

  it.each([
    ["unread", false],
    ["with a read waiting for more (which then ends)", true],
  ])("closes the connection when the body is cancelled, %s", async (_, readFirst) => {
    fetcher = createNodeFetch();
    let closed = false;
    const { url } = await server((_, response) => {
      response.writeHead(200);
      response.write("x");
      response.once("close", () => (closed = true));
    });
    const response = await fetcher(url);
    const reader = response.body!.getReader();
    let waiting: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
    if (readFirst) {
      expect((await reader.read()).value).toHaveLength(1);
      waiting = reader.read();
    }
    await reader.cancel("enough");
    if (waiting) expect(await waiting).toEqual({ done: true, value: undefined });
    await expect.poll(() => closed).toBe(true);
  });

  it("fails a waiting read when the connection drops", async () => {
    fetcher = createNodeFetch();
    let drop: () => void = () => undefined;
    const { url } = await server((_, response) => {
      response.writeHead(200, { "content-length": "100" });
      response.write("some");
      drop = () => response.socket?.destroy();
    });
    const response = await fetcher(url);
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("some");
    const waiting = reader.read();
    drop();
    await expect(waiting).rejects.toThrow(TypeError);
  });
});

describe("createBedrock({ fetch: nodeFetch }) against the emulator", () => {
  let emulator: ServedEmulator;
  beforeAll(async () => {
    emulator = await serveEmulator({ port: 0 });
  });
  afterAll(() => emulator.close());

  const request = {
    model: `bedrock/llama/${emulatorModelId("llama")}`,
    messages: [{ role: "user" as const, content: "Hello there" }],
  };
  const clients = () => {
    fetcher = createNodeFetch();
    const options = { endpoint: emulator.url, credentials: EMULATOR_CREDENTIALS };
    return { node: createBedrock({ ...options, fetch: fetcher }), global: createBedrock(options) };
  };

  it("answers a plain call as the global fetch does", async () => {
    const { node, global } = clients();
    const [viaNode, viaGlobal] = await Promise.all([
      node.chat.completions.create(request),
      global.chat.completions.create(request),
    ]);
    expect(viaNode.choices).toEqual(viaGlobal.choices);
    expect(viaNode.usage).toEqual(viaGlobal.usage);
    expect(viaNode.choices[0]?.message.content).toMatch(/^Hello from the Bedrock emulator/);
  });

  it("streams the same chunks as the global fetch does", async () => {
    const { node, global } = clients();
    const texts = async (client: typeof node) => {
      const parts: string[] = [];
      for await (const chunk of await client.chat.completions.create({ ...request, stream: true })) {
        parts.push(chunk.choices[0]?.delta.content ?? "");
      }
      return parts;
    };
    const [viaNode, viaGlobal] = await Promise.all([texts(node), texts(global)]);
    expect(viaNode.length).toBeGreaterThan(3);
    expect(viaNode).toEqual(viaGlobal);
  });

  it("carries Bedrock's error answers to the library's errors", async () => {
    fetcher = createNodeFetch();
    const node = createBedrock({
      endpoint: emulator.url,
      credentials: EMULATOR_CREDENTIALS,
      fetch: fetcher,
      maxRetries: 0,
    });
    await expect(
      node.chat.completions.create({ ...request, model: `bedrock/llama/${emulatorModelId("llama", ["throttle9"])}` }),
    ).rejects.toMatchObject({ status: 429, bedrockError: "ThrottlingException" });
  });
});
