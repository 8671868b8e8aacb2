import { describe, expect, it } from "vitest";
import { parseHttpDate } from "./http-date.ts";

describe("HTTP dates (RFC 9110, section 5.6.7)", () => {
  it("reads IMF-fixdate, what servers send, years 1000 to 9999", () => {
    expect(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT")).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
    expect(parseHttpDate("Thu, 01 Jan 1970 00:00:00 GMT")).toBe(0);
    expect(parseHttpDate("Fri, 31 Dec 9999 23:59:59 GMT")).toBe(Date.UTC(9999, 11, 31, 23, 59, 59));
    expect(parseHttpDate("Wed, 01 Jan 1000 00:00:00 GMT")).toBe(Date.UTC(1000, 0, 1));
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    expect(parseHttpDate(now.toUTCString())).toBe(now.getTime());
  });

  it("reads nothing else: the obsolete forms, other layouts and zones, years past 9999, days and times that do not exist", () => {
    for (const value of [
      "",
      "-1",
      "soon 5",
      "abc 2030",
      "Sunday, 06-Nov-94 08:49:37 GMT",
      "Sun Nov  6 08:49:37 1994",
      "2026-11-29T12:00:00Z",
      "Sun, 29 Nov 2026 12:00:00",
      "Sun, 29 Nov 2026 12:00:00 UTC",
      "Sun, 29 Nov 2026 12:00:00 +0000",
      "sun, 29 nov 2026 12:00:00 gmt",
      "Sun, 29 Nov 26 12:00:00 GMT",
      "Sun, 9 Nov 2026 12:00:00 GMT",
      "Sun, 29 Nov 2026 12:00:00 GMT ",
      "Sat, 01 Jan 10000 00:00:00 GMT",
      "Sat, 13 Sep 275760 00:00:00 GMT",
      "Fri, 01 Jan -0001 00:00:00 GMT",
      "Tue, 31 Feb 2026 12:00:00 GMT",
      "Sun, 29 Nov 2026 24:00:00 GMT",
      "Sun, 29 Nov 2026 12:60:00 GMT",
      "Sun, 29 Nov 2026 12:00:60 GMT",
      // The weekday of another day: a date that contradicts itself.
      "Mon, 29 Nov 2026 12:00:00 GMT",
    ]) {
      expect([value, parseHttpDate(value)]).toEqual([value, undefined]);
    }
  });
});
