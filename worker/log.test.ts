import { describe, expect, it } from "vitest";
import { pathOf } from "./log.ts";

describe("a log line's path", () => {
  it("is the URL's pathname, for every shape a request's url takes", () => {
    const urls = [
      "http://proxy.local/v1/chat/completions",
      "https://proxy.example.com:8443/v1/models/llama%2F3?x=1#y",
      "http://user:pa%2Fss@proxy.local/a/b?c=/d#/e",
      "http://[::1]:8787/v1/models/a:b",
      "http://proxy.local/a/./b/../c//d/",
      "http://proxy.local/%E2%9C%93?q#f?g",
      "http://proxy.local#frag/ment",
      "http://proxy.local?x/y",
      "http://proxy.local/a b/ü",
      "https://proxy.local",
    ];
    for (const url of urls) {
      const serialized = new URL(url).href;
      expect(pathOf(serialized), url).toBe(new URL(serialized).pathname);
    }
  });

  it("falls back to parsing for any other scheme", () => {
    expect(pathOf("ws://proxy.local/a?b")).toBe("/a");
    expect(pathOf("blob:http://proxy.local/x")).toBe(new URL("blob:http://proxy.local/x").pathname);
  });
});
