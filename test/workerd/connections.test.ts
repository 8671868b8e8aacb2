/// <reference types="node" />
// connections.ts, the project's setupFiles entry: no request reuses a connection the server may
// have closed while this process was starved. The server here closes an idle connection 100 ms
// after answering and says nothing, as workerd does after 5 s. It runs in a worker thread, so
// that it closes on time while this thread is starved.
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SERVER = `
const { createServer } = require("node:net");
const { parentPort } = require("node:worker_threads");
const server = createServer((socket) => {
  let head = "";
  let idle;
  socket.on("data", (data) => {
    head += data.toString("latin1");
    if (!head.includes("\\r\\n\\r\\n")) return;
    parentPort.postMessage(head);
    head = "";
    clearTimeout(idle);
    socket.write("HTTP/1.1 200 OK\\r\\ncontent-length: 2\\r\\n\\r\\nok");
    idle = setTimeout(() => socket.destroy(), 100);
  });
  socket.on("error", () => undefined);
});
server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
`;

let worker: Worker;
let url: string;
const requestHeads: string[] = [];

beforeAll(async () => {
  worker = new Worker(SERVER, { eval: true });
  const [port] = (await once(worker, "message")) as [number];
  url = `http://127.0.0.1:${port}/`;
  worker.on("message", (head: string) => requestHeads.push(head));
});

afterAll(() => worker.terminate());

/** Holds the event loop, as a CPU-starved test process does: no timer, no socket read runs. */
function starve(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe("the test clients' connections (connections.ts)", () => {
  it("ask the server to close each one", async () => {
    expect(await (await fetch(url)).text()).toBe("ok");
    await expect.poll(() => requestHeads.length).toBeGreaterThan(0);
    expect(requestHeads[0]).toMatch(/^connection: close\r$/im);
  });

  it("reach the server after the process was starved across its idle close", async () => {
    expect(await (await fetch(url)).text()).toBe("ok");
    starve(300);
    expect(await (await fetch(url)).text()).toBe("ok");
  });
});
