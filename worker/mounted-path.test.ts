// The proxy mounted in a hono app of the user's own (parent.route("/proxy", createApp())): a
// model endpoint's line names the proxy's own path (nameEndpoint's, as docs/PROXY-REFERENCE.md
// says), a GET line the path as the parent's router read it. Found by codereview52b.
import { Hono } from "hono/tiny";
import { expect, it } from "vitest";
import { createApp, type LogLine } from "./app.ts";

it("a mounted proxy names a model endpoint by its own path, a GET line by the path read", async () => {
  const logs: LogLine[] = [];
  const app = createApp({
    env: { PROXY_API_KEYS: "sk-one-0123456789", MODELS: "{}" },
    log: (line) => logs.push(line),
  });
  const parent = new Hono();
  parent.route("/proxy", app);
  const headers = { "content-type": "application/json" };
  const answer = await parent.request("/proxy/v1/chat/completions", { method: "POST", headers, body: "{}" });
  expect(answer.status).toBe(401);
  await answer.text();
  const models = await parent.request("/proxy/v1/models");
  expect(models.status).toBe(401);
  await models.text();
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(logs.map((line) => [line.status, line.path])).toEqual([
    [401, "/v1/chat/completions"],
    [401, "/proxy/v1/models"],
  ]);
});
