// A setupFiles entry of the workerd project: every request the tests make through the global fetch
// (the openai SDK, the AI SDK, LangChain and raw fetch alike) goes out on a connection of its own.
//
// workerd closes an idle HTTP/1.1 connection 5 s after its last answer and sends no Keep-Alive
// hint; Node's fetch would keep the socket for 4 s by a coarse timer. A test process starved of
// CPU across that moment sends its next request on a socket workerd has already closed ("other
// side closed"), with no retry to hide it. A shorter client keep-alive only narrows the window,
// since a starved process runs no timers either; `connection: close` removes it.
import { Agent, setGlobalDispatcher } from "undici";

// pipelining 0: undici's documented way to disable keep-alive (it sends `connection: close`).
// One agent for the process, set again before each file (this module runs before each, and the
// files share the process: vitest.config.mts), whatever an earlier file set.
const KEY = Symbol.for("bedrock-edge.test.connection-close-agent");
const agent: Agent = Reflect.get(globalThis, KEY) ?? new Agent({ pipelining: 0 });
Reflect.set(globalThis, KEY, agent);
setGlobalDispatcher(agent);
