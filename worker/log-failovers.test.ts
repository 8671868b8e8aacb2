// The log line's failovers (daytwo49 #7): for each copy a request gave up, its index and the code
// of the error it was left for, never the message (it may quote what Bedrock or a client sent),
// and bounded however many times a hook is told.
import { describe, expect, it } from "vitest";
import { BedrockEdgeError } from "../src/index.ts";
import { type LogLine, MAX_LOGGED_FAILOVERS, noteFailover } from "./log.ts";

const line = (): LogLine => ({
  time: "2026-12-01T00:00:00.000Z",
  request_id: "req_x",
  method: "POST",
  path: "/v1/chat/completions",
  status: 0,
  ms: 0,
});

const error = (code: string | null, message = "Too many requests, please wait before trying again.") =>
  new BedrockEdgeError({ status: 429, message, code });

describe("a failover in the log line", () => {
  it("is the copy's index and its error's code, in the order the copies were left", () => {
    const logged = line();
    noteFailover(logged, 0, error("rate_limit_exceeded", "throttled: sk-live-0123456789abcdef was here"));
    noteFailover(logged, 2, error(null));
    expect(logged.failovers).toEqual([
      { deployment: 0, error_code: "rate_limit_exceeded" },
      { deployment: 2, error_code: null },
    ]);
    expect(JSON.stringify(logged)).not.toContain("sk-live");
  });

  it("keeps a code only as a code is written: any other text (an upstream's own words) is null", () => {
    const logged = line();
    noteFailover(logged, 0, error("bad code with spaces"));
    noteFailover(logged, 1, error("x".repeat(65)));
    noteFailover(logged, 2, error("upstream_timeout"));
    expect(logged.failovers?.map((failover) => failover.error_code)).toEqual([null, null, "upstream_timeout"]);
  });

  it("holds at most MAX_LOGGED_FAILOVERS, the most copies a model may have", () => {
    const logged = line();
    for (let index = 0; index < MAX_LOGGED_FAILOVERS + 5; index++) noteFailover(logged, index, error("model_error"));
    expect(logged.failovers).toHaveLength(MAX_LOGGED_FAILOVERS);
    expect(MAX_LOGGED_FAILOVERS).toBe(16);
  });
});
