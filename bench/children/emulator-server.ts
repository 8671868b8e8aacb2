/// <reference types="node" />
// Child: the emulator served over loopback HTTP (1.1 and h2c) in its own process, so its work
// does not share an event loop with the clients being timed. Stops when stdin closes.
//
// `host=<address> port=<n>` (default 127.0.0.1, any free port). Port 80 serves clients that
// sign the host without its port (Portkey does): on the default port, the Host header they send
// is the host they signed.
import { serveEmulator } from "../../emulator/node.ts";
import { numberArg, report } from "../lib/report.ts";

const host = process.argv.find((arg) => arg.startsWith("host="))?.slice(5) ?? "127.0.0.1";
const served = await serveEmulator({ port: numberArg("port", 0), hostname: host });
report({ url: served.url.replace(/:80$/, "") });
process.stdin.resume();
process.stdin.on("end", () => void served.close().finally(() => process.exit(0)));
