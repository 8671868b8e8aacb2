/// <reference types="node" />
// Child: the emulator served over loopback HTTP (1.1 and h2c) in its own process, so its work
// does not share an event loop with the clients being timed. Stops when stdin closes.
import { serveEmulator } from "../../emulator/node.ts";
import { report } from "../lib/report.ts";

const served = await serveEmulator({ port: 0, hostname: "127.0.0.1" });
report({ url: served.url });
process.stdin.resume();
process.stdin.on("end", () => void served.close().finally(() => process.exit(0)));
