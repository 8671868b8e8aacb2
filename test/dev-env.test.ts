// What `npm start` reads of the proxy's keys to print its demo commands (scripts/dev-env.ts).
import { describe, expect, it } from "vitest";
import { bannerText, DEV_KEY, firstKey, profileNotes, proxyKeyLogName, realBedrockNotes } from "../scripts/dev-env.ts";
import { createKeyFinder } from "../worker/auth.ts";

describe("firstKey", () => {
  it("takes the first key of a list separated as the Worker separates it: commas or line breaks", () => {
    expect(firstKey("sk-one,sk-two")).toBe("sk-one");
    expect(firstKey("sk-one\nsk-two")).toBe("sk-one");
    expect(firstKey("\r\n sk-one \r\nsk-two\n")).toBe("sk-one");
    expect(firstKey(" , ")).toBeUndefined();
    expect(firstKey(undefined)).toBeUndefined();
  });
});

describe("the banner's key", () => {
  it("is tied to the name the Worker logs it under, the Worker's own name for that key", async () => {
    const logged = async (key: string) => (await createKeyFinder([], [key])(key))?.name;
    expect(proxyKeyLogName(DEV_KEY)).toBe(await logged(DEV_KEY));
    // The name docs/PROXY-REFERENCE.md's log line example shows.
    expect(proxyKeyLogName(DEV_KEY)).toBe("proxy-key-39f97426");
    expect(proxyKeyLogName("sk-team-7f3a9c21e0b4d8aa")).toBe(await logged("sk-team-7f3a9c21e0b4d8aa"));
    const text = bannerText({ url: "u", upstream: "x", key: DEV_KEY, keySource: "s", models: [] });
    expect(text).toContain(
      "  API key          sk-local-dev  (s)\n                   named proxy-key-39f97426 in the log's lines and /v1/usage rows\n",
    );
    // No key, no name.
    expect(bannerText({ url: "u", upstream: "x", key: undefined, keySource: "s", models: [] })).not.toContain(
      "proxy-key-",
    );
  });
});

describe("real-Bedrock mode's notes", () => {
  const shellCredentials = { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "s" };

  it("from the shell's credentials alone, with no MODELS or no keys of the user's: the command for the demo", () => {
    const demo = (unset: string) =>
      `demo             AWS credentials in your shell chose real Bedrock, with no ${unset} of yours set: for the demo on the emulator, npm start -- --emulator`;
    expect(realBedrockNotes({ kind: "shell" }, shellCredentials, undefined)).toEqual([
      demo("MODELS and no PROXY_API_KEYS"),
    ]);
    expect(realBedrockNotes({ kind: "shell" }, { ...shellCredentials, MODELS: "{}" }, undefined)).toEqual([
      demo("PROXY_API_KEYS"),
    ]);
    // .dev.vars without credentials still gives the rest; API_KEYS are keys too.
    expect(realBedrockNotes({ kind: "shell" }, shellCredentials, { PROXY_API_KEYS: "sk-mine-0123456789" })).toEqual([
      demo("MODELS"),
    ]);
    expect(realBedrockNotes({ kind: "shell" }, shellCredentials, { MODELS: "{}", API_KEYS: "{}" })).toEqual([]);
    // A .dev.vars with credentials is a setup of the user's own: no hint.
    expect(realBedrockNotes({ kind: "dev-vars" }, {}, { AWS_ACCESS_KEY_ID: "AKIA1" })).toEqual([]);
  });

  it("a warning when the public dev key guards real credentials", () => {
    const warning = `warning          sk-local-dev is the public dev key, and here it guards real AWS credentials: set PROXY_API_KEYS to a key of your own`;
    const devVars = { AWS_ACCESS_KEY_ID: "AKIA1", MODELS: "{}", PROXY_API_KEYS: "sk-local-dev" };
    expect(realBedrockNotes({ kind: "dev-vars" }, {}, devVars)).toEqual([warning]);
    expect(realBedrockNotes({ kind: "dev-vars" }, { PROXY_API_KEYS: "sk-mine-0123456789" }, devVars)).toEqual([]);
    expect(
      realBedrockNotes(
        { kind: "shell" },
        { ...shellCredentials, PROXY_API_KEYS: "sk-local-dev,sk-b" },
        { MODELS: "{}" },
      ),
    ).toEqual([warning]);
  });
});

describe("emulator mode's note on AWS_PROFILE", () => {
  it("says profiles are not read and how to export the profile's keys, only when the emulator was not asked for", () => {
    expect(profileNotes({ kind: "emulator" }, { AWS_PROFILE: "dev" })).toEqual([
      "AWS_PROFILE      not read (the Worker reads no ~/.aws files). For real Bedrock, export its keys and start again:",
      `                 eval "$(aws configure export-credentials --profile dev --format env)" && npm start`,
      "                 or put them in .dev.vars",
    ]);
    // A name the shell would read otherwise is not pasted into a command.
    expect(profileNotes({ kind: "emulator" }, { AWS_PROFILE: "a b;c" })[1]).toContain("--profile <profile> ");
    expect(profileNotes({ kind: "emulator" }, {})).toEqual([]);
    expect(profileNotes({ kind: "emulator", asked: true }, { AWS_PROFILE: "dev" })).toEqual([]);
    expect(profileNotes({ kind: "shell" }, { AWS_PROFILE: "dev" })).toEqual([]);
  });
});
