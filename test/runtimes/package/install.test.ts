/// <reference types="node" />
// The README's install section, run: every `npm install` line of its `install` block in a fresh
// temporary project, then the `first-run` block of docs/RUNTIMES.md, where the README sends a reader
// next (the library, the proxy and the emulator, through the package's entries) in each. Nothing of
// either block is copied here.
//
// - the tarball `npm pack` writes from this checkout: run with Node, Deno and Bun;
// - the git URL, as `git+file://` of a repository whose one commit holds the tree under test
//   (HEAD plus uncommitted changes to tracked files; the test says which): npm clones it, installs
//   its dev tools, builds dist/ through `prepare` and installs the result;
// - a link to this checkout (`npm install <path>`);
// - Deno by URL, with docs/RUNTIMES.md's `deno-imports` map (a loopback server stands in for
//   raw.githubusercontent.com), and Deno and Bun from this checkout's sources by path.
//
// npm never asks a registry: each install is `--offline` from a lockfile cut from this project's
// (consumer-project.ts), so only npm's cache is read, as filled by this project's own install.
import { execFileSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordOutput } from "../../helpers/output-log.ts";
import { commandLines, readmeSnippet } from "../../helpers/readme.ts";
import { serveStatic, type StaticSite } from "../chromium/static-server.ts";
import { localBin, ROOT, runCommand } from "../child-process.ts";
import { writeConsumerProject } from "./consumer-project.ts";

const README_GIT_URL = /^git\+https:\/\/\S+$/;
const README_RAW_BASE = "https://raw.githubusercontent.com/<owner>/bedrock-edge/<commit>/";
const INSTALL_TIMEOUT_MS = 240_000;

interface InstallCommands {
  git: string;
  tarball: string;
  link: string;
  peers: string[];
}

/** Sorts the block's lines by what they install; a line this test cannot run fails it. */
function installCommands(lines: readonly string[]): InstallCommands {
  const found: Partial<InstallCommands> = {};
  for (const line of lines) {
    const [npm, install, ...args] = line.split(/\s+/);
    if (npm !== "npm" || install !== "install" || args.length === 0) throw new Error(`not an npm install: ${line}`);
    if (args[0] === "-D") found.peers = args.slice(1);
    else if (args.length !== 1) throw new Error(`one package per line, please: ${line}`);
    else if (README_GIT_URL.test(args[0]!)) found.git = args[0];
    else if (args[0]!.endsWith(".tgz")) found.tarball = args[0];
    else if (/^\.{0,2}\//.test(args[0]!)) found.link = args[0];
    else throw new Error(`an install line this test does not know how to run: ${line}`);
  }
  const { git, tarball, link, peers } = found;
  if (!git || !tarball || !link || !peers)
    throw new Error(`the install block lacks a kind of line: ${lines.join(" | ")}`);
  return { git, tarball, link, peers };
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
}

/**
 * A git repository in `dir` whose single commit holds the tree under test: HEAD with the
 * working tree's changes to tracked files (`git stash create` records them without touching
 * anything). Untracked files are left out, as a commit would leave them.
 */
function repositoryOfTree(dir: string): { path: string; described: string } {
  const head = git(ROOT, "rev-parse", "--short", "HEAD");
  const changes = git(ROOT, "stash", "create");
  const archive = join(dir, "tree.tar");
  git(ROOT, "archive", "--format=tar", "-o", archive, changes || "HEAD");
  const path = join(dir, "bedrock-edge");
  mkdirSync(path);
  execFileSync("tar", ["-xf", archive, "-C", path]);
  git(path, "init", "--quiet");
  git(path, "add", "--all");
  const who = ["-c", "user.name=bedrock-edge tests", "-c", "user.email=tests@bedrock-edge.invalid"];
  git(path, ...who, "-c", "commit.gpgsign=false", "commit", "--quiet", "--message", `tree under test (HEAD ${head})`);
  return { path, described: changes ? `HEAD ${head} with uncommitted changes to tracked files` : `HEAD ${head}` };
}

/** npm as a user's shell runs it: none of the npm_* settings `npm test` hands its children, except the cache. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of Object.keys(process.env))
    if (name.startsWith("npm_") && name !== "npm_config_cache") env[name] = undefined;
  return env;
}

async function npmInstall(cwd: string, spec: string): Promise<void> {
  const { stdout, stderr } = await runCommand("npm", ["install", spec, "--offline", "--no-audit", "--no-fund"], {
    cwd,
    env: npmEnv(),
    timeoutMs: INSTALL_TIMEOUT_MS,
  });
  recordOutput(stdout + stderr);
}

/** The first-run block's output: the library's answer, the proxy's log line, the proxy's answer. */
function expectFirstRun(where: string, stdout: string): void {
  recordOutput(stdout);
  const lines = stdout.trim().split("\n");
  expect(lines, where).toHaveLength(3);
  expect(lines[0], where).toMatch(/^Hello from the Bedrock emulator \(r1\)\. Your prompt had \d+ characters\.$/);
  expect(JSON.parse(lines[1]!), where).toMatchObject({ method: "POST", status: 200, model: "my-r1" });
  expect(lines[2], where).toBe(`200 ${lines[0]}`);
}

/** The package's entries as deno.json names them: `bedrock-edge/worker` -> `worker/mod.ts`. */
function sourceEntries(): Record<string, string> {
  const deno = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8")) as { exports: Record<string, string> };
  const entries: Record<string, string> = {};
  for (const [subpath, file] of Object.entries(deno.exports))
    entries[`bedrock-edge${subpath.slice(1)}`] = file.replace(/^\.\//, "");
  return entries;
}

/** The first-run block importing a clone's sources by path instead of the package by name. */
function importingSourcesOf(code: string, clone: string): string {
  let rewritten = code;
  for (const [name, file] of Object.entries(sourceEntries()))
    rewritten = rewritten.replaceAll(`from "${name}"`, `from "${join(clone, file)}"`);
  return rewritten;
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(folder, entry.name)) : [join(folder, entry.name)],
  );
}

const commands = installCommands(commandLines(readmeSnippet("install")));
const firstRun = readmeSnippet("first-run");
const deno = localBin("deno");
const bun = localBin("bun");

describe("installing as the README says", () => {
  let work: string;
  let tarball: string;
  let tree: { path: string; described: string };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "bedrock-edge-install-"));
    tree = repositoryOfTree(work);
    console.log(`the git install takes ${tree.described}`);
    // `prepare` builds dist/ first (the build of this run, reused: the inputs have not changed).
    await runCommand("npm", ["pack", "--pack-destination", work], { env: npmEnv(), timeoutMs: 120_000 });
    tarball = join(work, readdirSync(work).find((name) => name.endsWith(".tgz")) ?? "no tarball");
  }, 180_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("names the tarball npm pack writes, the first run's language, one-line installs", () => {
    expect(basename(commands.tarball)).toBe(basename(tarball));
    expect(firstRun.lang).toBe("js");
    expect(commands.peers.length).toBeGreaterThan(0);
  });

  it.concurrent("from the packed tarball: the first run in Node, Deno and Bun", {
    timeout: INSTALL_TIMEOUT_MS,
  }, async () => {
    const consumer = join(work, "from-tarball");
    writeConsumerProject(consumer, commands.peers);
    await npmInstall(consumer, tarball);
    writeFileSync(join(consumer, "first-run.mjs"), firstRun.code);
    const node = await runCommand(process.execPath, ["first-run.mjs"], { cwd: consumer });
    expectFirstRun("node, tarball", node.stdout);
    const denoRun = await runCommand(deno, ["run", "--no-lock", "first-run.mjs"], { cwd: consumer });
    expectFirstRun("deno, tarball", denoRun.stdout);
    const bunRun = await runCommand(bun, ["first-run.mjs"], { cwd: consumer });
    expectFirstRun("bun, tarball", bunRun.stdout);
  });

  it.concurrent("from the git URL (git+file:// of the tree under test): npm builds dist/ itself", {
    timeout: INSTALL_TIMEOUT_MS,
  }, async () => {
    const consumer = join(work, "from-git");
    writeConsumerProject(consumer, commands.peers);
    await npmInstall(consumer, `git+file://${tree.path}`);
    const installed = readdirSync(join(consumer, "node_modules", "bedrock-edge", "dist"));
    expect(installed.sort()).toEqual(["emulator", "node", "src", "worker"]);
    writeFileSync(join(consumer, "first-run.mjs"), firstRun.code);
    const node = await runCommand(process.execPath, ["first-run.mjs"], { cwd: consumer });
    expectFirstRun("node, git", node.stdout);
  });

  it.concurrent("linked to this checkout (npm install <path>)", { timeout: INSTALL_TIMEOUT_MS }, async () => {
    const consumer = join(work, "linked");
    mkdirSync(consumer);
    writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "linked", private: true, type: "module" }));
    await npmInstall(consumer, ROOT);
    expect(relative(ROOT, realpathSync(join(consumer, "node_modules", "bedrock-edge")))).toBe("");
    writeFileSync(join(consumer, "first-run.mjs"), firstRun.code);
    const node = await runCommand(process.execPath, ["first-run.mjs"], { cwd: consumer });
    expectFirstRun("node, link", node.stdout);
  });

  it.concurrent("Deno and Bun from this checkout's TypeScript sources, by path", async () => {
    const consumer = join(work, "by-path");
    mkdirSync(consumer);
    writeFileSync(join(consumer, "first-run.mjs"), importingSourcesOf(firstRun.code, ROOT));
    const denoRun = await runCommand(deno, ["run", "--no-lock", "--node-modules-dir=manual", "first-run.mjs"], {
      cwd: consumer,
    });
    expectFirstRun("deno, sources by path", denoRun.stdout);
    const bunRun = await runCommand(bun, ["first-run.mjs"], { cwd: consumer });
    expectFirstRun("bun, sources by path", bunRun.stdout);
  });

  describe("Deno by URL", () => {
    let site: StaticSite;
    beforeAll(async () => {
      // What raw.githubusercontent.com serves: the commit's files, as text/plain.
      const files: Record<string, { type: string; body: string }> = {};
      for (const file of filesUnder(tree.path).filter((path) => !path.includes("/.git/")))
        files[`/${relative(tree.path, file)}`] = {
          type: "text/plain; charset=utf-8",
          body: readFileSync(file, "utf8"),
        };
      site = await serveStatic(files);
    });
    afterAll(() => site?.close());

    it("with docs/RUNTIMES.md's import map and deno.json's imports", async () => {
      const readmeMap = JSON.parse(readmeSnippet("deno-imports").code.replace(/^\s*\/\/.*$/gm, "")) as {
        imports: Record<string, string>;
      };
      const entries = Object.fromEntries(
        Object.entries(sourceEntries()).map(([name, file]) => [name, `${README_RAW_BASE}${file}`]),
      );
      expect(readmeMap.imports).toEqual(entries);
      const ours = JSON.parse(readFileSync(join(tree.path, "deno.json"), "utf8")) as {
        imports: Record<string, string>;
      };
      const imports = { ...ours.imports };
      for (const [name, url] of Object.entries(readmeMap.imports))
        imports[name] = url.replace(README_RAW_BASE, site.url);

      const consumer = join(work, "deno-by-url");
      mkdirSync(consumer);
      // The npm: imports resolve from a node_modules folder (this project's) instead of npm's
      // registry, which Deno would ask otherwise.
      writeFileSync(join(consumer, "deno.json"), JSON.stringify({ imports, nodeModulesDir: "manual" }));
      symlinkSync(join(ROOT, "node_modules"), join(consumer, "node_modules"), "dir");
      writeFileSync(join(consumer, "first-run.mjs"), firstRun.code);
      const { host } = new URL(site.url);
      const denoRun = await runCommand(deno, ["run", "--no-lock", `--allow-import=${host}`, "first-run.mjs"], {
        cwd: consumer,
        env: { DENO_DIR: join(consumer, ".deno") },
      });
      expectFirstRun("deno, by URL", denoRun.stdout);
    });
  });
});
