import { describe, expect, it } from "vitest";
import { BedrockEdgeError } from "../src/errors.ts";
import { ALWAYS_ADMITTED_BYTES, bodyBudget, serverBusy } from "./body-budget.ts";

const LIMIT = 512 * 1024;

describe("the isolate's account of request-body bytes", () => {
  it("admits a request alone whatever its size: its own ceiling is MAX_BODY_BYTES", () => {
    const budget = bodyBudget();
    const hold = budget.hold(LIMIT);
    expect(hold.reserve(10 * LIMIT)).toBe(true);
    expect(budget.held()).toBe(10 * LIMIT);
  });

  it("admits others while the total stays within the limit, the limit itself included", () => {
    const budget = bodyBudget();
    expect(budget.hold(LIMIT).reserve(320 * 1024)).toBe(true);
    expect(budget.hold(LIMIT).reserve(192 * 1024)).toBe(true);
    expect(budget.held()).toBe(LIMIT);
    // A body past ALWAYS_ADMITTED_BYTES that brings the total to the limit exactly.
    const exact = bodyBudget();
    expect(exact.hold(LIMIT).reserve(200 * 1024)).toBe(true);
    expect(exact.hold(LIMIT).reserve(312 * 1024)).toBe(true);
    expect(exact.held()).toBe(LIMIT);
  });

  it("refuses a request when others hold bytes and its own would pass the limit; the refused one adds nothing", () => {
    const budget = bodyBudget();
    expect(budget.hold(LIMIT).reserve(320 * 1024)).toBe(true);
    const second = budget.hold(LIMIT);
    expect(second.reserve(320 * 1024)).toBe(false);
    expect(budget.held()).toBe(320 * 1024);
    // A smaller one that fits beside is admitted.
    expect(second.reserve(192 * 1024)).toBe(true);
  });

  it("a reserve is the least the request holds: a body's Content-Length, then its bytes as they come, counted once", () => {
    const budget = bodyBudget();
    const hold = budget.hold(LIMIT);
    expect(hold.reserve(30_000)).toBe(true);
    expect(hold.reserve(10_000)).toBe(true);
    expect(hold.reserve(30_000)).toBe(true);
    expect(budget.held()).toBe(30_000);
  });

  it("a chunked body grows its hold as it comes, and is refused mid-read once the total would pass", () => {
    const budget = bodyBudget();
    expect(budget.hold(LIMIT).reserve(256 * 1024)).toBe(true);
    const chunked = budget.hold(LIMIT);
    let read = 0;
    let admitted = true;
    while (admitted && read < 320 * 1024) {
      read += 8 * 1024;
      admitted = chunked.reserve(read);
    }
    expect(admitted).toBe(false);
    expect(read).toBe(264 * 1024);
    expect(budget.held()).toBe(LIMIT);
  });

  it("release gives the bytes back, once however often it is called, and a released hold reserves nothing more", () => {
    const budget = bodyBudget();
    const first = budget.hold(LIMIT);
    const second = budget.hold(LIMIT);
    first.reserve(320 * 1024);
    second.reserve(160 * 1024);
    first.release();
    first.release();
    expect(budget.held()).toBe(160 * 1024);
    // A body still read after its request was given up (a read that was not cancelled) adds nothing.
    expect(first.reserve(400 * 1024)).toBe(true);
    expect(budget.held()).toBe(160 * 1024);
    second.release();
    expect(budget.held()).toBe(0);
    // Then a request of the whole limit is admitted beside none.
    const whole = budget.hold(LIMIT);
    expect(whole.reserve(LIMIT)).toBe(true);
    expect(budget.hold(LIMIT).reserve(ALWAYS_ADMITTED_BYTES + 1)).toBe(false);
  });

  it("never refuses a body of ALWAYS_ADMITTED_BYTES or less, past the limit too: large bodies in flight cannot turn small ones away (codereview51 U-01, U-02)", () => {
    const budget = bodyBudget();
    expect(budget.hold(LIMIT).reserve(LIMIT)).toBe(true);
    expect(budget.hold(LIMIT).reserve(ALWAYS_ADMITTED_BYTES)).toBe(true);
    expect(budget.held()).toBe(LIMIT + ALWAYS_ADMITTED_BYTES);
    expect(budget.hold(LIMIT).reserve(ALWAYS_ADMITTED_BYTES + 1)).toBe(false);
  });

  it("each env's limit applies to its own requests; the bytes are the isolate's", () => {
    const budget = bodyBudget();
    budget.hold(LIMIT).reserve(320 * 1024);
    expect(budget.hold(LIMIT).reserve(320 * 1024)).toBe(false);
    expect(budget.hold(2 * LIMIT).reserve(320 * 1024)).toBe(true);
  });
});

describe("the refusal", () => {
  it("is a 503 server_busy that asks for a retry in a second, and names no one", () => {
    const error = serverBusy();
    expect(error).toBeInstanceOf(BedrockEdgeError);
    expect(error.status).toBe(503);
    expect(error.type).toBe("server_error");
    expect(error.code).toBe("server_busy");
    expect(error.retryAfterMs).toBe(1000);
    expect(error.message).toMatch(/other large requests/i);
    expect(error.message).toMatch(/retry/i);
  });
});
