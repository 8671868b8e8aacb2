// Headless Chromium (Debian's package, driven by playwright-core): a page on one origin loads
// the browser bundle and runs the scenario against the emulator on another origin (CORS).
// Without Chromium the suite is skipped with a hint, except under CI, where that is a failure.
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRuntimeEmulator, type RuntimeEmulator } from "../emulator-server.ts";
import { expectScenarioPassed } from "../expectations.ts";
import type { ScenarioReport } from "../scenario.ts";
import { bundleForWeb, unresolvedImports } from "../web-bundle.ts";
import { CHROMIUM_ARGS, findChromium, INSTALL_HINT, isCi } from "./find-chromium.ts";
import { serveStatic, type StaticSite } from "./static-server.ts";

const executablePath = findChromium();

if (!executablePath) {
  if (isCi()) {
    it("Chromium is installed (required under CI)", () => {
      throw new Error(`The browser suite cannot be skipped under CI: ${INSTALL_HINT}.`);
    });
  } else {
    console.warn(`Chromium suite skipped: ${INSTALL_HINT}`);
    it.skip(`Chromium: skipped: ${INSTALL_HINT}`, () => undefined);
  }
}

describe.runIf(executablePath)("Chromium (headless)", () => {
  let served: RuntimeEmulator;
  let site: StaticSite;
  let browser: Browser;

  beforeAll(async () => {
    const [emulator, bundle, launched] = await Promise.all([
      startRuntimeEmulator(),
      bundleForWeb("test/runtimes/chromium/page.ts", { format: "iife" }),
      chromium.launch({ executablePath, args: CHROMIUM_ARGS }),
    ]);
    served = emulator;
    browser = launched;
    expect(unresolvedImports(bundle.metafile)).toEqual([]);
    site = await serveStatic({
      "/": {
        type: "text/html; charset=utf-8",
        body: '<!doctype html><meta charset="utf-8"><title>bedrock-edge</title><script src="/scenario.js"></script>',
      },
      "/scenario.js": { type: "text/javascript; charset=utf-8", body: bundle.code },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await served?.close();
  });

  it("passes the runtime scenario, cross-origin", async () => {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(site.url);
    expect(new URL(site.url).origin).not.toBe(new URL(served.url).origin);
    const target = { emulatorUrl: served.url, statsUrl: served.statsUrl };
    const report: ScenarioReport = await page.evaluate((t) => globalThis.runBedrockScenario(t), target);
    expect(pageErrors).toEqual([]);
    expectScenarioPassed("Chromium", report);
  });
});
