// The line's path is redacted as it is written (known secrets, secrets' shapes), then cut to its
// length. An endpoint's own path (nameEndpoint's) is redacted once per state's secrets and kept:
// what is logged must be what redacting it each time would give, for each state's own secrets.
import { describe, expect, it } from "vitest";
import { redactSecrets } from "../src/core.ts";
import { type LogLine, noteEndpointPath, startRequestLog } from "./log.ts";

function written(path: string, secrets: readonly string[]): string {
  const lines: LogLine[] = [];
  const log = startRequestLog({
    request: new Request("http://proxy.test/", { method: "POST" }),
    path,
    requestId: "req_x",
    clientRequestId: undefined,
    sink: (line) => lines.push(line),
    secrets: () => secrets,
  });
  log.finish(200);
  return lines[0]!.path;
}

describe("the line's path", () => {
  it("an endpoint's own path is redacted by each state's secrets, every time as the first time", () => {
    const path = "/v1/test-endpoint/completions";
    noteEndpointPath(path);
    const spelt = ["endpoint/comp"];
    const other = ["sk-unrelated-0123456789"];
    for (let i = 0; i < 3; i++) {
      expect(written(path, spelt)).toBe("/v1/test-[redacted]letions");
      expect(written(path, other)).toBe(path);
      expect(written(path, spelt)).toBe(redactSecrets(path, spelt));
    }
  });

  it("a path the client wrote is redacted and cut to 200 characters, as before", () => {
    const secret = "sk-client-pasted-0123456789";
    const path = `/v1/${secret}/${"x".repeat(300)}`;
    const logged = written(path, [secret]);
    expect(logged).not.toContain(secret);
    expect(logged).toBe(redactSecrets(path, [secret]).slice(0, 200));
    expect(logged.length).toBe(200);
  });
});
