/// <reference types="node" />
// Where the system Chromium is (Debian's package; never a Playwright download: no internet).
// CHROMIUM_PATH overrides the search, e.g. to try the "missing" path on a machine that has one.
import { existsSync } from "node:fs";

export const INSTALL_HINT = "install chromium (apt-get install -y --no-install-recommends chromium)";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

export function findChromium(): string | undefined {
  const override = process.env.CHROMIUM_PATH;
  if (override !== undefined) return existsSync(override) ? override : undefined;
  return CANDIDATES.find((path) => existsSync(path));
}

/** CI must prove every runtime: there a missing browser is a failure, not a skip. */
export function isCi(): boolean {
  const value = process.env.CI?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "false" && value !== "0";
}

/** Flags for a root, headless, offline container. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
