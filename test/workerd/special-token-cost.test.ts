// What a body of special-token look-alikes at the default body limit costs the Worker in workerd,
// in a workerd of its own (amplify48 #1): measured in one shared with other costly rows, the rise
// hides in heap those rows already grew. 3.99 MiB of `<think>` asked 600,000 breaks, each making
// the text two bytes a character: workerd's memory rose 84 to 98 MiB and its CPU 220 to 380 ms,
// against 31 MiB and 110 ms for plain text. Past MAX_TOKEN_BREAKS it is refused as it is read.
import { afterAll, beforeAll, expect, it } from "vitest";
import { modelString, startWorkerdProxy, TEST_KEYS, USER_HELLO, type WorkerdProxy } from "./harness.ts";
import { resetWorkerdPeak, workerdCpuMs, workerdMemory } from "./workerd-process.ts";

let proxy: WorkerdProxy;

beforeAll(async () => {
  // MAX_BODY_BYTES unset: the default limit, which this body is just under.
  proxy = await startWorkerdProxy({
    main: { MODELS: JSON.stringify({ llama: modelString("llama") }), MAX_BODY_BYTES: undefined },
  });
});
afterAll(() => proxy?.close());

async function chat(body: string) {
  resetWorkerdPeak();
  const before = workerdMemory().rssMiB;
  const cpu = workerdCpuMs();
  const response = await fetch(`${proxy.url()}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_KEYS[0]}`, "content-type": "application/json" },
    body,
  });
  const { error } = (await response.json()) as { error?: { code?: string; param?: string } };
  return {
    status: response.status,
    code: error?.code,
    param: error?.param,
    cpuMs: workerdCpuMs() - cpu,
    memoryMiB: workerdMemory().peakMiB - before,
  };
}

it("3.99 MiB of <think> is refused within less memory than plain text of its size is served in", async () => {
  // A first request loads the Worker's code, which the rise below must not count.
  expect((await chat(JSON.stringify({ model: "llama", messages: USER_HELLO }))).status).toBe(200);
  const content = "<think>".repeat(Math.floor((3.99 * 2 ** 20) / 7));
  const sent = await chat(JSON.stringify({ model: "llama", messages: [{ role: "user", content }] }));
  console.log(`3.99 MiB of <think>: ${sent.status}, CPU ${sent.cpuMs} ms, memory +${sent.memoryMiB} MiB`);
  expect({ status: sent.status, code: sent.code, param: sent.param }).toEqual({
    status: 400,
    code: "too_many_special_tokens",
    param: "messages[0]",
  });
  // Plain text of that size, served: +31 MiB; this body before the bound: +84 to +98.
  expect(sent.memoryMiB).toBeLessThan(40);
  expect((await chat(JSON.stringify({ model: "llama", messages: USER_HELLO }))).status).toBe(200);
}, 60_000);
