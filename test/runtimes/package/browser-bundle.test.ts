// The library bundled for browsers and edge runtimes (minified, browser/worker conditions) must
// need no Node built-in and no polyfill: no node:* import, no Buffer, no process. Its gzip size
// is printed and held under a budget, so growth is a decision rather than an accident.
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { build } from "esbuild";
import { edgeOptions } from "../../../bench/lib/build.ts";
import { ROOT } from "../child-process.ts";
import { bundleForWeb, unresolvedImports, type WebBundle } from "../web-bundle.ts";

/**
 * The whole library in one file, every feature and every lazily loaded module (Jinja, the routes,
 * Responses, legacy Completions) inlined: 38.6 kB when this budget was first set, then 48.5 kB
 * with the Llama 3.1/3.2 templates, tool syntax, forced calls and the parameter policy, 55.1 kB
 * with the Responses API, 60.4 kB with Bedrock's request formats, logprobs and legacy Completions,
 * 66.3 kB with deployments and their routing, model caps, the token neutraliser and template
 * variables (2026-11-28), 69.5 kB before and 70.7 kB after the converse fixes (Claude's signed
 * reasoning through the Responses API, the thinking conflicts, tool schemas, refusal parts;
 * 2026-11-28), 73.8 kB after the evening's review fixes (tool-call arguments read as written, cut
 * forced calls, values described in errors; 2026-11-28), 73.9 kB before and 74.7 kB after the
 * converse route's tool use by model (a streamed request with tools on Llama or Mistral replayed
 * from a plain call, the tools and tool_choice refusals; 2026-11-28), 76.0 kB after the third
 * reviews' fixes (tokens split across content parts broken, custom templates given content as
 * vLLM gives it and refused when they write parts as text, redirects refused and fetch errors
 * redacted, the converse temperature, reasoning and tool-loop rules, the Responses API's refusal
 * of Chat's names; 2026-11-28), 77.4 kB after the fourth reviews' fixes (the answer splitter linear
 * on many tool blocks and on held whitespace, response_format checked before it is sent and
 * refused by the routes that build their own constraint, the Responses API's own fields told
 * from chat's, stream_options without stream, a failed fan-out's usage, openai 7's request and
 * result fields; 2026-11-28), 78.2 kB after the fifth reviews' fixes (SigV4 on
 * Bedrock's clock when the local one is off, a connection lost before the first byte retried,
 * only the template's layout trimmed around markers, SSE lines escaped for every reader, the
 * cool-down store waited for within a bound, max_gen_len refusals in the caller's terms;
 * 2026-11-28), 78.9 kB before and 79.2 kB (81,089 bytes) after the spec review's fixes (an
 * assistant message's own refusal as its text, its function_call and audio refused by name,
 * reasoning_effort "max" on converse, no-op values and tool_choice without tools left unsent on
 * the openai route), 79.5 kB (81,436 bytes) after usage6's (what the attempts a request failed
 * over from were billed, and a failed legacy stream's opened calls), 80.0 kB (81,917 bytes) after
 * deploy6's (Workers' "Too many subrequests" told as the plan's limit, in the lazily loaded error
 * and retry modules, 168 bytes over the 81,749 before them: the main chunk unchanged). The budget was set about 5%
 * above 70.7 kB, then raised to 76 KiB for the tool use by model, to 77 KiB for the third reviews'
 * fixes, to 78 KiB for the fourth's, to 79 KiB for the fifth's and to 80 KiB for the spec
 * review's: a feature that needs more says so here, with its measurement.
 */
// Raised 300 bytes for tools7's check of the functions a model's calls name (82,213 bytes after it,
// 308 over the 81,905 before; in the lazily loaded routes, the main chunk unchanged).
// Raised 500 more for multimodal7's image fixes (a data URL's base64 read as browsers read it and
// refused by its part, a chat_template that writes no image refused): 82,708 bytes after them, 495
// over the 82,213 before; in the lazily loaded routes, the main chunk unchanged.
// Raised 280 more for codereview17's fixes (words in a forced call's name slot read as the model's
// text, a data URL's body percent-decoded): 82,981 bytes after them, 273 over the 82,708 before;
// in the lazily loaded routes, the main chunk unchanged (16,354 bytes).
// Raised 120 more for codereview18's (only the prefilled call's name slot read as words, R1's words
// with call markup a call to no function, words with unescaped quotes): 83,101 bytes after them,
// 119 over the 82,982 before; in the lazily loaded routes.
// Raised 80 more for codereview21's (one reading of a forced call's name slot on every route: R1's
// words end at its markup, a blank name is the 500, the close marker never in the words): 83,164
// bytes after them, 73 over the 83,091 before; in the lazily loaded routes.
// Raised 500 more for codereview22's (the name slot's JSON tail found from its end, R1's arguments
// fence only at a line start, words then a call opened in the same block read as both, a named
// opening's closing brace dropped from words): 83,683 bytes after them, 519 over the 83,164
// before; in the lazily loaded routes, the main chunk unchanged.
// Raised 50 more for cpucost8 #1 (a chat_template's images checked by one render without them all,
// then the first eight messages' one at a time): 83,727 bytes after it, 44 over the 83,683 before.
// Raised 100 more for cpucost8 #2 (the scan before JSON.parse counts each object's members and
// says where a wide one opens): 83,795 bytes after it, 68 over the 83,727 before.
// Raised 140 more for cpucost8 #3 (a data URL's percent-escapes decoded in one pass over the
// character codes, not a callback each): 83,927 bytes after it, 132 over the 83,795 before.
// Raised 150 more for codereview23's (tool calls' arguments held to the member cap as text, a
// chat_template's image checks spread over the conversation and bounded by its prompt's length):
// 84,117 bytes after them, 187 over the 83,930 before; the main chunk unchanged.
// Raised 50 more for memcost9's (tool calls' arguments held to every limit the body is, each named
// in the 400): 84,162 bytes after it, 45 over the 84,117 before; the main chunk unchanged.
// Raised 100 more for memcost9 #2 (the token neutraliser joins its pieces in batches rather than
// one replace holding a part per match): 84,263 bytes after it, 101 over the 84,162 before.
// Raised 100 more for statelong10 #1 (legacy Completions follow the caller's signal with a listener
// taken off at the end, not AbortSignal.any) and injection12's (the transport checks model ids, a
// region in bedrockBaseUrl, Retry-After bounded): 84,339 bytes after them, 76 over the 84,263 before.
// Raised 250 more for turnforgery14 #1 (tool calls' arguments neutralised by what the JSON text
// means: each string that decodes to a token written anew): 84,581 bytes after it, 242 over the
// 84,339 before; in the lazily loaded neutraliser, the main chunk unchanged.
// Raised 50 more for typesapi13 #4 (the library's Responses carry output_text, as the openai SDK
// adds it, and the proxy's JSON and SSE leave it out): 84,654 bytes after it, 38 over the 84,616
// after turnforgery14 #2 (signed thinking sent back as received).
// Raised 60 more for codereview26 #1 (tool calls' arguments read as JSON spells its strings, also
// where JSON.parse refuses the whole, as vLLM's json.loads takes NaN and Infinity): 84,738 bytes
// after it, 58 over the 84,680 before; in the lazily loaded neutraliser, the main chunk unchanged.
// Raised 200 more for codereview26 #2 (a token's opening left at a string's end broken, which a
// template's own `>` would close: a second trie and pattern, read on each text's last characters):
// 84,935 bytes after it, 197 over the 84,738 before; in the lazily loaded neutraliser.
// Raised 50 more for codereview26 #3 (signed thinking kept as sent only for Claude, on every
// deployment a request may go to): 84,977 bytes after it, 42 over the 84,935 before; the main
// chunk passes the deployments to the neutraliser (16,363 bytes, 29 over the 16,334 before).
// Raised 50 more for overbreak15 #4 (a string whose last characters hold none of the openings'
// first characters skips the opening pattern): 85,029 bytes after it, up to 29 over the 85,000
// before; in the lazily loaded neutraliser, the main chunk unchanged.
// Raised 100 more for overbreak15 #1 (the built-in templates' routes neutralise without the
// opening rule: a second built-in neutraliser and the route's flag): 85,112 bytes after it, 83
// over the 85,029 before; in the lazily loaded neutraliser and routes, the main chunk unchanged.
// Raised 150 more for overbreak15 #2, #3 and #5 (a custom template's tokens by shape, with
// SentencePiece's and Gemma's start and end spelt out; an argument string's breaks put into the
// literal as written; no opening rule where the next text part follows): 85,284 bytes after them,
// 151 over the 85,133 before; in the lazily loaded neutraliser, the main chunk unchanged.
// Raised 100 more for docsdrift18 #7 (subrequest_limit's message says what to change in every
// case) and codereview27 #5 (a server time in 9999 not learnt), after timebounds17's strict HTTP
// dates fitted the room left: 85,381 bytes after them, 87 over the 85,294 before; in the lazily
// loaded retry rules and clock, the main chunk within its budget (16,355 bytes at level 6).
// Raised 100 more for codereview27 #6 (a one-word tag a custom template writes against another
// token, GLM-4's `[gMASK]<sop>`, is a token: a second pattern and the tokens' edges): 85,430
// bytes after it, 65 over the 85,365 before; in the lazily loaded neutraliser.
// Raised 22 more for leftovers #1 (a "/" in a model id that is no ARN refused where the model
// string is read, not by Bedrock at call time: the model-id rule's ARN branch and its message):
// 85,521 bytes after it, 23 over the 85,498 before; in the main chunk, which it leaves at 16,382
// bytes at level 6 (16,373 before) with the model string's parse written shorter.
// Raised 31 more for leftovers #3 (redaction decodes each character's %XX escapes on its own, so
// that a secret's escapes in a run with one that is not UTF-8, %2F%FF, are still decoded and
// found: a regex of UTF-8's four lengths): 85,552 bytes after it, 38 over the 85,514 before
// (the model string's route read in one slice saved 7); in the lazily loaded error module; the
// main chunk 16,372 bytes at level 6 after both.
// Raised 900 more for whitespace-only stops on Claude (Bedrock refuses them: the converse route
// sends the others and cuts the text itself, in plain answers and streams alike, holding back
// only a tail that could still become a stop, and ends the call at the stop: a KMP matcher per
// stop, the stream mapper's done(), the route's split of the stops): 86,438 bytes after it, 886
// over the 85,552 before; in the lazily loaded converse route and stream reader, the main chunk
// unchanged.
// Raised 289 more for codereview30 #3-#5 (a stop applied here that completes inside the stop
// Bedrock applied and cut off: Converse asked which, the cutter's close(); no stop across a
// reasoning block or tool call; nothing decoded after the stop in its read; the emulator is not
// bundled): 86,741 bytes after it, 303 over the 86,438 before; in the lazily loaded converse
// route and stream reader, the main chunk within its budget.
// Raised 100 more for reasoning32 #1 and #2 (where a thinking family's answer starts read from
// the rendered prompt; the splitter given a forced call's opening without its lead): 86,839
// bytes after them, 98 over the 86,741 before; in the lazily loaded routes, the main chunk within
// its budget (16.0 KiB).
// Raised 150 more for reasoning32 #3 (reasoning_effort's thinking switch set only where the
// model's template reads it, a custom chat_template's variables read once when it compiles, else
// the 400 naming reasoning_effort): 86,989 bytes after it, 150 over the 86,839 before; in the
// lazily loaded routes and templates, the main chunk within its budget (16.0 KiB).
// Raised 30 more for the start read back from the prompt buildBody rendered (a WeakMap by the
// request) instead of a second render for the answer: 87,016 bytes, 27 over the 86,989 before.
// Raised 100 more for unmetered32 (an answer refused once read, a forced call cut by stop, carries
// Bedrock's counts on its error: the body's or the count headers', the stream's last frame's):
// 96 over the bundle before it; in the lazily loaded completion routes and chunk mapper, the main
// chunk 4 bytes more (the count headers passed to parseAnswer), within its budget.
// Raised 320 more for templates32 #1 (a text-reading chat_template given a missing assistant
// content as "", null only where it tests for none; a refused render named at the message it fails
// at, found by halving the conversation): 87,415 bytes after it, 312 over the 87,103 before; in
// the lazily loaded templates, the main chunk unchanged.
// Raised 70 more for templates32 #2 (a chat_template's bos_token and eos_token default to its route
// family's): 87,479 bytes after it, 64 over the 87,415 before; in the lazily loaded templates, the
// main chunk within its budget (the client passes the route and the entry itself).
// Raised 70 more for templates32 #3 (a prompt ending in an open <think> starts the answer in
// reasoning on every completion route, and a forced call or held answer closes it first): 87,547
// bytes after it, 68 over the 87,479 before; in the lazily loaded completion routes.
// Raised 80 more for templates32 #4 (tools offered to a chat_template that never reads them: a 400
// naming tools, or dropped with tool_choice under drop_params): 87,624 bytes after it, 77 over the
// 87,547 before; in the lazily loaded completion routes.
// Raised 150 more for codereview32 #1-#5 (each try told by how it ended: onFailover, an exception
// in a stream marked inStream, unbilledRefusal, a legacy call sent and never answered listed with
// 0 chunks): 137 over the bundle before them; in the lazily loaded router, legacy Completions and
// error mapping, the main chunk within its budget (16,374 bytes).
// Raised 100 more for codereview33 #2 and #7 (a legacy call waiting to retry is not listed as sent
// and never answered; ModelErrorException billed): 87,855 bytes after them, 43 over the budget
// before; in the lazily loaded legacy Completions and router, the main chunk within its budget.
// #1 (a legacy call's retry tells its prompt) fits in the same raise.
// Raised 20 more for codereview33 #3 (a refused render told with the first run of messages refused
// so, never as its cause; param messages): 87,919 bytes with the raise above, 7 over.
// Raised 240 more for codereview33 #3 (a fetch whose connection was never made is told unsent, by
// Node's and Bun's codes and Deno's connect phase, and counts nothing): 88,153 bytes after it, 234
// over the 87,919 before; in the lazily loaded error mapping and router, the main chunk unchanged.
/** The budget with the raises up to codereview26 #3 (the sum outgrew one line after them). */
const CODEREVIEW26_GZIP_BUDGET_BYTES =
  80 * 1024 + 300 + 500 + 280 + 120 + 80 + 500 + 50 + 100 + 140 + 150 + 50 + 100 + 100 + 250 + 50 + 60 + 200 + 50;
/** The budget with the raises up to unmetered32 (the sum outgrew one line after them). */
const UNMETERED32_GZIP_BUDGET_BYTES =
  CODEREVIEW26_GZIP_BUDGET_BYTES + 50 + 100 + 150 + 100 + 100 + 22 + 31 + 900 + 289 + 100 + 150 + 30 + 100;
// Raised 370 more for inputcost34 #1 (tools counted as a template writes them, indented a level at
// a time, before any template runs: over 4 M characters a 400): 88,513 bytes after it, 360 over
// the 88,153 before; in the lazily loaded completion routes, the main chunk unchanged.
// Raised 550 more for prompt caching on converse (Anthropic's cache_control marks on parts,
// messages and tools sent as Bedrock's cachePoint blocks where the model caches, dropped
// elsewhere): 89,054 bytes after it, 541 over the 88,513 before; in the lazily loaded converse
// route, the main chunk unchanged.
// Raised 180 more for inputcost34 #2 (the token neutraliser's copies built of own members, so a
// `__proto__` key stays one, and two keys that read the same once broken a 400 naming the object):
// 172 over the bundle before it; in the lazily loaded neutraliser.
// Raised 210 more for inputcost34 #3 (the values under the keys valibot's record() skips checked in
// logit_bias and Responses metadata): 209 over the bundle before it; in the lazily loaded request
// schemas, the main chunk unchanged.
// Raised 60 more for an array given as logit_bias or metadata (valibot's record() takes one as an
// object of its indexes, and it went on to Bedrock): 89,482 bytes after it, at the budget before
// it; in the lazily loaded request schemas.
// Raised 150 more for amplify35 #1 (a plain legacy answer that would echo over 8 MiB of prompt
// refused before it is sent) with codereview35's cache-point fixes (typed marks checked by the
// request schema, at most four sent): 89,653 bytes after them; in the lazily loaded legacy
// Completions, request schema and converse route, the main chunk within its budget.
// Raised 110 more for codereview36 #2 and #3 (a prompt's bytes counted as JSON writes them, its
// escapes at their widest; an encrypted_content held to the JSON this server writes there):
// 89,795 bytes after them, 103 over the budget before; in the lazily loaded legacy Completions and
// Responses.
// Raised 40 more for codereview37 (a lone surrogate counted at its escape's six bytes, a pair at
// its character's four): 89,831 bytes after it, 29 over the budget before; in the lazily loaded
// legacy Completions.
// Raised 60 more for the transport loaded with the first call (a chunk of its own, with the imports
// and exports between it and the client): 89,892 bytes after it, 50 over the budget before; the
// main chunk 2.9 KiB smaller.
// Raised 310 more for the foundation_model setting (an opaque converse id read as the model its
// entry names): 90,207 bytes after it, 305 over the budget before; most in the lazily loaded
// converse route and neutraliser, the setting and its check (with the families it takes named)
// in the main chunk (13,682 bytes after it).
// Raised 160 more for codereview38 (foundation_model held to a foundation id as Bedrock names it,
// a Claude generation Bedrock serves, and no imported model's ARN; an abort while the transport
// loads told to no deployment): 90,367 bytes after them, 155 over the budget before; in the main
// chunk (13,860 bytes after them), which checks the models table.
// Raised 1,700 more for OpenAI file parts (files38: the file part in the request schemas, Converse
// documents with Bedrock's limits on the converse route, the other routes' refusal, the Responses
// API's input_file): 91,857 bytes after them, 1,645 over the budget before; in the lazily loaded
// request schemas, routes and Responses, the main chunk unchanged (13,681 bytes).
// Raised 120 more for docs38 (a document's format by one rule shared with the Worker's estimate, a
// Windows CSV read as CSV, the table's other models without document chat, a filename cut before
// it is normalised): 92,185 bytes after them, 113 over the budget before; in the lazily loaded
// converse route.
// Raised 230 more for docs38 #1 (a cache point after a document other than a PDF moved before the
// documents, or to the end of what comes before their turn): 216 over the 92,039 before it; in the lazily loaded converse route.
// Raised 2,070 more for embeddings (embed38: the embed route's entry, bedrock.embeddings with its
// request schema, the Titan and Cohere v3/v4 bodies and answers, base64 floats): 94,485 bytes
// after them, 2,063 over the budget before; in the lazily loaded embeddings client, the main
// chunk 14,247 bytes (the route's table entry and the lazy embeddings stub).
// Raised 250 more for embedr38 (an embedding entry's deployments held to one model, in the main
// chunk's table check, 14,332 bytes after it; an answer bounded to 1,048,576 floats, in the lazily
// loaded embeddings): 94,738 bytes after them, 246 over the budget before.
// Raised 20 more for embedr38 #4 (a malformed embeddings answer billed by its header's count): 94,750
// bytes after it, 8 over the budget before; in the lazily loaded embeddings.
// Raised 140 more for embfm39 (foundation_model on the embed route: the setting's checks shared by
// both routes, the embed entry's, an opaque id's deployments compared by the model they serve):
// 94,883 bytes after it, 121 over the budget before; in the main chunk, which checks the table
// (14,719 bytes after it).
// Raised 180 more for embedr38 #3 (embeddings' calls metered as legacy Completions' are, with the
// meters shared: the calls still out as unmeteredCalls with their texts, a caller's abort once calls
// went out wrapped to carry them): 95,060 bytes after it, 158 over the budget before; in the lazily
// loaded embeddings, the main chunk unchanged (14,716 bytes).
// Raised 740 more for Bedrock's service tiers (tier39: service_tier sent as Converse's serviceTier
// within the entry's service_tiers, its refusals, the tier that served read back into plain
// answers, stream chunks and Responses) and 80 for the latency setting (Converse's
// performanceConfig from the entry): 95,877 bytes after both, 817 over the 95,060 before them; the
// main chunk 15,019 bytes (the settings' tier names and checks, the plain answer's field).
// Raised 50 more for the tier of a metadata event that comes before messageStop (tier39): 95,918
// bytes after it, 41 over the 95,877 before; in the lazily loaded converse route.
// Raised 2,350 more for images (images39: the image route's entry, bedrock.images with its request
// schema and refusals, Nova Canvas's sizes, body and answer, the content filters' 400): 97,100
// bytes after them, 2,338 over the budget before; in the lazily loaded images client, the main
// chunk 14,505 bytes (the route's table entry, the lazy images stub, an image entry's deployments
// held to one model).
// Raised 260 more for Titan Image Generator v2 (images39: its family, its list of 25 sizes): 97,360
// bytes after it, 248 over the budget before; in the lazily loaded images client.
// Raised 640 more for Stability's image models (images39: SD3.5 Large, Stable Image Core and Ultra,
// their aspect ratios, one call per image 6 at a time, finish_reasons): 98,000 bytes after them,
// 628 over the budget before; in the lazily loaded images client, the main chunk 14,591 bytes (the
// image route's id check names them).
// Raised 90 more for drop_params on images (images39: the fields that change only the drawing
// dropped under it, the image route taking the setting): 98,091 bytes after it, 79 over the
// budget before; in the lazily loaded images client, the main chunk 14,598 bytes.
// The images figures above were measured before the service tiers and embfm39 beside them: with
// all of them (and the images client on the shared followedSignal), 99,260 bytes, the main chunk
// 15,285.
// Raised 100 more for a stream's held finish on failure (hold39: the event mapper's flush before
// the error, the guarded reader's signal that the idle timeout does not abort): 99,358 bytes after
// it, 98 over the 99,260 before; in the lazily loaded stream reader, transport and converse route.
// Raised 40 more for each call's retry told apart (embacct39, codereview39 #2 and #4: an
// embeddings call's first text's index and texts, a Stability image call's prompt 0): 99,311 bytes
// after them, 19 over the budget before; in the lazily loaded embeddings and images clients.
// Raised 260 more for imgr39 (images' calls metered as embeddings' are, each that answered told
// with its images; a filter's reason in a 200 answer no Bedrock refusal; seeds bounded per family
// and random when none is sent; the no-op defaults accepted): 99,679 bytes after them, 247 over
// the budget before; in the lazily loaded images client, the main chunk 15,286 bytes.
// Raised 100 more for prime41 (a stream whose answer ended, its finish held or in the read that
// failed, is primed and fails after it, not retried: each stream mapper's finished()): 99,752
// bytes after it, 91 over the 99,661 before; in the lazily loaded stream reader and routes, the
// main chunk 15,284 bytes.
// Raised 30 more for codereview35 #2 (each call of a request of several told to onCallSent as it
// goes out): 99,700 bytes after it, 8 over the budget before; in the lazily loaded legacy
// Completions, embeddings and images clients, the main chunk 15,287 bytes.
// Raised 330 more for the service tiers of imported models: tierd41 (no serviceTier sent to an
// imported ARN on converse, the models table refusing the tier settings in such an entry), merged
// without its raise (100,059 bytes after it, the main chunk 15,450), and the template and openai
// routes refusing a tier an imported model does not have as converse does: 100,149 bytes after
// them, 327 over the budget before; the main chunk 15,448 bytes.
// Raised 20 more for typesapi41 #1 (embeddings answered as encoding_format asks, typed per format:
// the float and base64 answers built apart): 100,167 bytes after it, 15 over the budget before; in
// the lazily loaded embeddings client, the main chunk 15,446 bytes.
// Raised 70 more for typesapi41 #2 (openai 7's image params: safety_identifier accepted as user is,
// quality "xhigh" and "max" refused by name, gif and svg output refused as jpeg is): 100,234 bytes
// after it, 62 over the budget before; in the lazily loaded images client, the main chunk 15,446.
// Raised 90 more for typesapi41 #6 (a models-table entry with model beside deployments or routing
// told so; readonly service_tiers and client_template_kwargs in the schema): 100,326 bytes after it,
// 84 over the budget before; in the models table, so in the main chunk: 15,544 bytes.
// Raised 40 more for codereview41 #3 (the openai route's stream finished only once every choice
// asked for, request.n, has): 100,182 bytes after it, 30 over the budget before; in the lazily
// loaded routes, the main chunk 15,449 bytes.
// Raised 4,200 more for image edits (imgedit41: a PNG reader of every colour type, depth and row
// filter with its bounds, an RGB PNG writer, OpenAI's transparent mask made Bedrock's black-and-white
// one, a JPEG's size, the edit request's schema and INPAINTING body): 103,870 bytes after them,
// 4,178 over the budget before; in the lazily loaded images client, the main chunk 15,320 bytes.
// Raised 450 more for image variations (imgedit41: the variation request's schema and
// IMAGE_VARIATION body, createVariation through the same draw): 104,317 bytes after them, 425
// over the budget before; in the lazily loaded images client.
// Raised 250 more for Adam7 interlaced PNGs read (imgedit41: the seven passes, each unfiltered and
// placed on its own): 104,549 bytes after it, 207 over the budget before; in the lazily loaded
// images client.
// Raised 100 more for writeRgbPng's rows made as the compressor pulls them (imgedit41): 104,669
// bytes after it, 77 over the budget before; in the lazily loaded images client.
// Raised 30 more for imgedit41 merged with main (typesapi41's quality "xhigh" and "max" refused in
// generation and edits alike, callSent in the shared draw): 105,355 bytes after it, 23 over the sum
// of both budgets; in the lazily loaded images client.
// Raised 20 more for the image route's refusal naming the edits and variations endpoints too:
// 105,375 bytes after it, 13 over the budget before.
// Raised 750 more for imgmem41 (imgeditr41 #6 and #1: an edit's model and fields checked before
// its image is read; a PNG read a row at a time, its pixel data inflated piece by piece, its rows
// streamed into the PNG sent and a bit a pixel kept of the mask): 106,103 bytes after them, 681
// over the budget before; in the lazily loaded images client, the main chunk 15,587 bytes.
// Raised 500 more for stabedit42 (Stability's Stable Image Inpaint: its family, its bodies, a mask
// white where to change, its 64-pixel side, generation and variations on it refused by name):
// 106,589 bytes after it, 417 over the budget before; in the lazily loaded images client, the main
// chunk 15,603 bytes (the image route's id check names it).
// Raised 430 more for perfl42 (a plain call's cost cut in the library Worker: a whole answer in
// which no marker can begin read without a splitter +53 bytes, random ids drawn a kilobyte at a
// time +35, each transport's call targets kept +96, SigV4's date stamp per second +62, the signed
// headers handed to fetch as a record and the values Headers refuse still refused while signing
// +161, the rest +30): 106,597 bytes after them, 425 over the budget before; the main chunk
// 15,734 bytes.
// Raised 210 more for redos43fix #2 (one budget of arrays, objects and values shared by every
// tool call's arguments, every Responses function_call's arguments and every handed-back
// encrypted_content of a request): 107,296 bytes after it, 194 over the budget before; in the
// lazily loaded request schema and Responses API.
// Raised 280 more for numbers43 (Bedrock's counts bounded +0, seed bounded +42, max_output_tokens
// and reasoning_budget bounded +70, a deployment's weight bounded -8, logit_bias held to OpenAI's
// spec with its keys checked +158, count headers read as decimal digits +18): 107,293 bytes after
// them, 191 over the budget before; logit_bias and seed in the lazily loaded request schemas, the
// models table's bounds in the main chunk (16,021 bytes, 76 more), which checks the table.
// Raised 440 more for perreq43fix (a refused render searched for its message only while the whole
// render context is small, and a request's messages and tool-call arguments converted once for
// all its renders +350; a request's body built once for all the copies it tries, the routes'
// retarget +88): 107,731 bytes after them, 139 over the budget before; the templates in the
// lazily loaded chunk, the body kept per request in the main chunk (16,080 bytes, 62 more).
// Raised 290 more for secrets46fix #1-#2 (text quoted in a message cut only between words, a word
// past the cut told by its length, at every site that quotes the client's, a setting's or
// Bedrock's text): 108,101 bytes after it, 282 over the 107,819 before; the helper in errors.ts,
// so in the main chunk (16,323 bytes, 236 more than 16,087).
// Raised 100 more for secrets46fix #3 and #6 (an image model's reason, a stream's content type
// and event type redacted with the call's secrets, +135; secrets found JSON-escaped and the
// token's header in a JSON dump, +134): 108,370 bytes after them, 48 over the budget before; in
// the lazily loaded images client and error mapping (bedrock-errors.ts), the main chunk 16,321.
// Raised 80 more for specfuzz46 (a function's parameters held to an object schema on every route
// +50; metadata checked as the Responses API checks it, OpenAI's types held for the other fields
// no route sends, content lists of one part at least, the Responses API's reasoning, text and
// top_logprobs typed +236): 108,105 bytes after them, 73 over the budget before; in the lazily
// loaded request schemas, the main chunk 16,088 bytes (1 more).
// Raised 250 more when secrets46fix and specfuzz46 met (each raise above was measured apart, and
// gzip shares less across the two): 108,700 bytes after both, 198 over the two raises' sum; the
// main chunk 16,322 bytes.
// Raised 110 more for awsfid46fix #6 (guardrail_config's identifier and version checked against
// AWS's patterns when the models table is loaded, with a message each saying what is expected):
// 108,134 bytes after it, 102 over the budget before (#1, #2 and #4 of the same fix fitted under
// it: 108,023); in the main chunk, which checks the table (16,214 bytes, 127 more: valibot's
// regex action is new there).
// Raised 200 more where awsfid46fix met secrets46fix and specfuzz46 (each measured apart above):
// 109,007 bytes after all three. The main chunk came to 16,454 bytes, over its 16 KiB, until the
// template, wire-format and service-tier names became one module (src/routes/setting-names.ts),
// two chunks fewer: 16,316.
// Raised 260 more for cr46fix (the cuts secrets46fix missed through shownText, a length in code
// points, redactSecrets bounded to a message's first 64 KiB, its JSON unescaping one pass without a
// callback, each level percent-decoded, its cap between characters, the token header's value up to
// an escaped quote and in a list): 108,956 bytes after it, 204 over the budget before; the
// redaction in the lazily loaded error mapping, the code-point count in the main chunk (16,349
// bytes, 27 more).
// Raised 60 more for specfuzz46b (an array refused where an object goes) and codereview46c (a
// secret's encodings composed, a bounded message of one word shown): 109,325 bytes after them, 3
// over the budget before; the main chunk 16,368.
// Raised 40 more for codereview46c #5 (a quoted text's limit counted in code points) and a
// failover's cost told when its request ends in an error of no counts (router.ts): 109,382 bytes
// after them, 57 over the 109,325 before and no longer under the budget; the main chunk 16,381.
// Raised 100 more for soak47 #1 (the caller's signal holds each call weakly, and its listener goes
// when the call is collected) and the answer's id made by a lazily loaded ids.ts: 109,502 bytes
// after them, 80 over the budget before; in the lazily loaded transport, and the main chunk down
// to 16,143 (ids.ts was a chunk of its own in it, for client.ts alone).
// Raised 40 more for codereview47 #5 (a quoted text cut after its max-th code point, not UTF-16
// unit): 109,548 bytes after it, 26 over the budget before; the main chunk 16,181.
// Raised 40 more for soak47 #2 (one abort listener per caller's signal, holding its calls weakly,
// not one per call): 109,584 bytes after it, 22 over the budget before; the main chunk 16,182.
// Raised 40 more for redaction's digest shape as a named export (HEX_DIGEST), which the Worker's
// log reads too instead of a copy of its own: 109,609 bytes after it, 7 over; the main chunk 16,179.
// Raised 190 more for amplify48 #1 (a request's special-token breaks counted over all its text,
// and the 400 past MAX_TOKEN_BREAKS, which says where and what to do): 109,792 bytes after it, 150
// over the budget before; in the lazily loaded neutraliser, the main chunk 16,182.
// Raised 540 more for bounds48 (amplify48 #2: the body's scan counts media data apart from text,
// src/openai/media-strings.ts, so that a model's larger max_body_bytes admits media, not text; the
// body ceiling in the max_body_bytes check): 110,134 bytes after it alone, 492 over the budget before;
// the scan is in the main chunk (16,225 bytes, 46 more). With the raise above and types48fix's
// timeout check beside it: 110,328 bytes, and the main chunk 16,232.
// Raised 40 more for codereview48 #3 (a tool call's as-written pass counted on a copy of the
// budget, kept only where its breaks are): 109,866 bytes after it, 34 over; in the neutraliser.
// Raised 100 more for codereview48 #4 (a chat_template_kwargs name in the neutraliser's 400 cut
// as the template variables' refusal cuts it, with one helper for both): 109,956 bytes after it,
// 90 over; in the lazily loaded routes, the main chunk 16,194.
// Raised 40 more for codereview48 #6 (the parts' breaks put in by a function of their own, whose
// reads a test counts): 109,988 bytes after it, 16 over; in the neutraliser, the main chunk 16,193.
// Raised 120 more for bounds48b (codereview48b #1: media counted only at each endpoint's own media
// places, by path, three tables of them, and a data URL's head held to its grammar, one regex):
// 110,478 bytes after it, 106 over the budget before; the main chunk 16,300.
// With every raise of 2026-12-01 above together: 110,605 bytes, and the main chunk 16,302.
// Raised 40 more for left49 #2 (a client's name in an error's param cut in code points by one
// helper, cutName, and a record's key past 64 characters told by its length in formatPath):
// 110,694 bytes after it, 22 over; formatPath is in the main chunk, 16,379 bytes after it (77 more).
// Raised 380 more for templates49 #2 (a chat_template's str.strip/lstrip/rstrip calls rewritten in
// its tree to strip the characters given, as Python does, with Python's whitespace when none):
// 110,977 bytes after it, 374 over the 110,603 before; in the lazily loaded templates, the main
// chunk unchanged (16,301).
// Raised 60 more for templates49 #1 (the built-in templates read tool-call arguments as Python's
// json.loads does, NaN, Infinity and -Infinity included): 111,035 bytes after it, 58 over the
// 110,977 before; in the lazily loaded templates, the main chunk 16,303.
// Raised 230 more for trimfix49 (a chat_template's `| trim` and `| trim(chars)` filters rewritten in
// its tree to the same call, stripping Python's whitespace or the characters given, as Jinja2's
// trim does): 111,350 bytes after it, 228 over the 111,122 before; in the lazily loaded
// templates, the main chunk unchanged (16,380).
// Raised 130 more for stripfix49 (codereview49c #7: strip's and trim's arguments handed over as the
// engine's values, so an undefined name is not none; #3: a long chars' set kept for the next call):
// 111,503 bytes after it, 121 over the 111,382 budget before; in the lazily loaded templates.
// With left49, templatefix49, trimfix49, formfix49 and stripfix49 together: 111,503 bytes, and the
// main chunk 16,363 (21 under its 16 KiB).
// Raised 920 more for text51 (unicode51: a forced call's guided decoding held to the caller's own
// schema and, on the openai route, the schema strings the neutraliser broke given back in the
// arguments, +734; only newlines dropped after </think>, +36; a failed stream's held text sent
// before its error, +141): 112,419 bytes after it, 916 over the 111,503 before; in the lazily
// loaded routes, the main chunk unchanged (16,363).
// Raised 100 more for codereview51b: a call a template route's model writes freely gets the caller's
// schema strings back as well, and only those strings are written again (R1, R2): 112,525 bytes
// after them, 95 over the 112,430 before; the main chunk 16,365.
// Raised 40 more for codereview52 (a generation vLLM gave up, a 502, carries the counts its answer
// told, in chat and in a legacy call's meter; 47 bytes, 14 of them won back in the same files):
// 112,561 bytes after it, 29 over the 112,532 before; in the lazily loaded routes and legacy
// Completions, the main chunk 16,365.
const GZIP_BUDGET_BYTES =
  UNMETERED32_GZIP_BUDGET_BYTES +
  320 +
  70 +
  70 +
  80 +
  150 +
  100 +
  20 +
  240 +
  370 +
  550 +
  180 +
  210 +
  60 +
  150 +
  110 +
  40 +
  60 +
  310 +
  160 +
  1700 +
  120 +
  230 +
  2070 +
  250 +
  20 +
  140 +
  180 +
  740 +
  80 +
  50 +
  2350 +
  260 +
  640 +
  90 +
  100 +
  40 +
  260 +
  100 +
  30 +
  330 +
  20 +
  70 +
  90 +
  40 +
  4200 +
  450 +
  250 +
  100 +
  30 +
  20 +
  750 +
  500 +
  430 +
  210 +
  280 +
  440 +
  290 +
  100 +
  80 +
  250 +
  110 +
  200 +
  260 +
  60 +
  40 +
  100 +
  40 +
  40 +
  40 +
  190 +
  540 +
  40 +
  100 +
  40 +
  120 +
  40 +
  380 +
  60 +
  230 +
  130 +
  920 +
  100 +
  40;
/**
 * What a page or a Worker loads first when its bundler splits code (the routes, the request
 * schema, the stream reader, the templates, Responses and legacy Completions load on first use).
 * Issue 15's goal is 16 KiB: met at 16.0 KiB (level 9) before deployments and their routing
 * landed in the client, 19.3 KiB with them, 15.7 KiB once the router (its order, cool-downs and
 * in-flight counts), the model caps and the SigV4 signer (aws4fetch) loaded on first use
 * (2026-11-28); measured as the bench measures it since 2026-11-29 (level 6, a Worker's build:
 * 16,343 bytes). The budget is the goal; `npm run bench` shows the chunk by module.
 */
const MAIN_CHUNK_GZIP_BUDGET_BYTES = 16 * 1024;
// Packages that exist only to stand in for Node built-ins in a browser.
const POLYFILLS =
  /node_modules\/(buffer|process|events|util|stream-browserify|crypto-browserify|path-browserify|node-stdlib-browser)\//;

describe("the browser bundle of the library", () => {
  let bundle: WebBundle;
  beforeAll(async () => {
    bundle = await bundleForWeb("src/index.ts", { minify: true });
  });

  it("imports nothing at run time and nothing of Node", () => {
    expect(unresolvedImports(bundle.metafile)).toEqual([]);
    expect(
      Object.keys(bundle.metafile.inputs).filter((input) => POLYFILLS.test(input) || input.startsWith("node:")),
    ).toEqual([]);
    expect(bundle.code).not.toMatch(/["'`]node:/);
  });

  it("uses no Buffer and no process", () => {
    expect(bundle.code.match(/\bBuffer\b/g) ?? []).toEqual([]);
    expect(bundle.code.match(/\bprocess\b/g) ?? []).toEqual([]);
  });

  it("stays under its gzip budget", () => {
    const gzip = gzipSync(bundle.code, { level: 9 }).length;
    console.log(
      `library browser bundle: ${(bundle.code.length / 1024).toFixed(1)} kB minified, ${(gzip / 1024).toFixed(1)} kB gzip (${gzip} bytes)`,
    );
    expect(gzip).toBeLessThan(GZIP_BUDGET_BYTES);
  });

  it("keeps what it loads first when split under budget (the entry chunk and what it imports statically)", async () => {
    // Built and measured as `npm run bench` measures the goal (bench/lib/build.ts edgeOptions, a
    // Worker's build: platform neutral, wrangler's mainFields; gzip at zlib's default level 6):
    // a browser build and level 9 came to 15 bytes less, and held a chunk the bench found over.
    const split = await build({
      ...edgeOptions("neutral"),
      absWorkingDir: ROOT,
      entryPoints: ["src/index.ts"],
      splitting: true,
      metafile: true,
      write: false,
      outdir: "out",
    });
    const outputs = split.metafile.outputs;
    const entry = Object.keys(outputs).find((path) => outputs[path]!.entryPoint === "src/index.ts");
    expect(entry).toBeDefined();
    const loaded = new Set<string>();
    const pending = [entry!];
    while (pending.length) {
      const path = pending.pop()!;
      if (loaded.has(path)) continue;
      loaded.add(path);
      for (const imported of outputs[path]!.imports)
        if (imported.kind === "import-statement") pending.push(imported.path);
    }
    const files = split.outputFiles.filter((file) => [...loaded].some((path) => file.path.endsWith(path.slice(3))));
    expect(files.length).toBe(loaded.size);
    const gzip = files.reduce((sum, file) => sum + gzipSync(file.contents).length, 0);
    console.log(`library main chunk (split): ${files.length} file(s), ${gzip} bytes gzip`);
    expect(gzip).toBeLessThan(MAIN_CHUNK_GZIP_BUDGET_BYTES);
  });
});
