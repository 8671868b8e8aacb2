// What `npm start` reads of the proxy's keys to print its demo commands (scripts/dev-env.ts).
import { describe, expect, it } from "vitest";
import { firstKey } from "../scripts/dev-env.ts";

describe("firstKey", () => {
  it("takes the first key of a list separated as the Worker separates it: commas or line breaks", () => {
    expect(firstKey("sk-one,sk-two")).toBe("sk-one");
    expect(firstKey("sk-one\nsk-two")).toBe("sk-one");
    expect(firstKey("\r\n sk-one \r\nsk-two\n")).toBe("sk-one");
    expect(firstKey(" , ")).toBeUndefined();
    expect(firstKey(undefined)).toBeUndefined();
  });
});
