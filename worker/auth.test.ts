import { describe, expect, it } from "vitest";
import { BedrockEdgeError } from "../src/index.ts";
import { authorise, createKeyFinder, presentedKey } from "./auth.ts";
import type { ClientKey } from "./keys.ts";

/** Client keys named k0, k1… */
const named = (keys: string[]): ClientKey[] => keys.map((key, i) => ({ name: `k${i}`, key, admin: false }));

describe("client keys", () => {
  const check = createKeyFinder(named(["sk-alpha-123", "sk-beta-456"]));

  it("accept every configured key, as itself, and nothing near it", async () => {
    expect((await check("sk-alpha-123"))?.name).toBe("k0");
    expect((await check("sk-beta-456"))?.name).toBe("k1");
    for (const near of [
      "sk-alpha-12",
      "sk-alpha-1234",
      "SK-ALPHA-123",
      " sk-alpha-123",
      "sk-beta-456sk-alpha-123",
      "",
      undefined,
    ]) {
      expect(await check(near), String(near)).toBeUndefined();
    }
  });

  it("are read from Authorization: Bearer or x-api-key", () => {
    expect(presentedKey(new Headers({ authorization: "Bearer sk-1" }))).toBe("sk-1");
    expect(presentedKey(new Headers({ authorization: "bearer   sk-1 " }))).toBe("sk-1");
    expect(presentedKey(new Headers({ "x-api-key": "sk-2" }))).toBe("sk-2");
    expect(presentedKey(new Headers({ authorization: "Basic abc" }))).toBeUndefined();
    expect(presentedKey(new Headers())).toBeUndefined();
  });

  it("are read from x-api-key when Authorization is of another scheme (a gateway's Basic in front)", async () => {
    const basic = new Headers({ authorization: "Basic dXNlcjpwYXNz", "x-api-key": "sk-alpha-123" });
    expect(presentedKey(basic)).toBe("sk-alpha-123");
    expect(await authorise(basic, 2, check)).toMatchObject({ name: "k0" });
    expect(presentedKey(new Headers({ authorization: "Digest x", "x-api-key": " sk-2 " }))).toBe("sk-2");
    // A Bearer key is the key presented, right or wrong: x-api-key does not override it.
    const both = new Headers({ authorization: "Bearer sk-guess", "x-api-key": "sk-alpha-123" });
    const refused = await authorise(both, 2, check);
    expect(refused).toBeInstanceOf(BedrockEdgeError);
    expect((refused as BedrockEdgeError).code).toBe("invalid_api_key");
    expect((refused as BedrockEdgeError).message).not.toContain("sk-guess");
    expect(presentedKey(new Headers({ authorization: "Bearer", "x-api-key": "sk-2" }))).toBeUndefined();
  });

  it("are not read from a scheme that only begins with Bearer (BearerToken is another scheme)", () => {
    const other = new Headers({ authorization: "BearerToken abc", "x-api-key": "sk-alpha-123" });
    expect(presentedKey(other)).toBe("sk-alpha-123");
    expect(presentedKey(new Headers({ authorization: "Bearersk-alpha-123" }))).toBeUndefined();
  });

  it("refuse with 401 and a code saying why, never echoing the key", async () => {
    const headers = (key?: string) => new Headers(key ? { authorization: `Bearer ${key}` } : {});
    const refused = async (result: Promise<unknown>) => {
      const error = await result;
      if (!(error instanceof BedrockEdgeError)) throw new Error("expected a refusal");
      return error;
    };
    expect((await refused(authorise(headers(), 2, check))).code).toBe("missing_api_key");
    const wrong = await refused(authorise(headers("sk-guess"), 2, check));
    expect({ status: wrong.status, code: wrong.code }).toEqual({ status: 401, code: "invalid_api_key" });
    expect(wrong.message).not.toContain("sk-guess");
    expect((await refused(authorise(headers("sk-alpha-123"), 0, createKeyFinder([])))).code).toBe(
      "proxy_keys_not_configured",
    );
    expect(await authorise(headers("sk-alpha-123"), 2, check)).toEqual({
      name: "k0",
      key: "sk-alpha-123",
      admin: false,
    });
  });

  it("of PROXY_API_KEYS are named by their SHA-256, so that removing one renames no other (tenancy19 #4)", async () => {
    const both = createKeyFinder([], ["sk-one", "sk-two"]);
    // The first 8 hex digits of sha256("sk-one") and sha256("sk-two").
    expect(await both("sk-one")).toEqual({ name: "proxy-key-456f1612", key: "sk-one", admin: false });
    expect((await both("sk-two"))?.name).toBe("proxy-key-5e312785");
    const withoutTheFirst = createKeyFinder([], ["sk-two"]);
    expect((await withoutTheFirst("sk-two"))?.name).toBe("proxy-key-5e312785");
    expect(await withoutTheFirst("sk-one")).toBeUndefined();
  });

  it("of an API_KEYS entry left out for a problem are found, after any served key of the same value", async () => {
    const broken: ClientKey = { name: "typo", key: "sk-typo-1", admin: false, brokenEntry: true };
    const find = createKeyFinder(named(["sk-alpha-123"]), ["sk-typo-1"], [broken, { ...broken, key: "sk-alpha-123" }]);
    expect((await find("sk-typo-1"))?.name).toBe("proxy-key-3fd2b0d7");
    expect((await find("sk-alpha-123"))?.name).toBe("k0");
    const alone = createKeyFinder([], [], [broken]);
    expect(await alone("sk-typo-1")).toEqual(broken);
  });

  it("are all compared, the first and the last of many alike", async () => {
    // Timing itself is not measured (that would be flaky): the finder compares fixed-length
    // SHA-256 digests against every key, whatever matches, so its work does not depend on the key.
    const many = createKeyFinder(named(Array.from({ length: 50 }, (_, i) => `sk-key-${i}`)));
    expect((await many("sk-key-49"))?.name).toBe("k49");
    expect((await many("sk-key-0"))?.name).toBe("k0");
    expect(await many("sk-key-50")).toBeUndefined();
  });
});
