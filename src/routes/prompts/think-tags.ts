// The tags around a reasoning model's thinking, as DeepSeek R1 and Qwen3 write them: their
// templates write these, and the answer splitter reads the same ones back.
export const THINK_OPEN = "<think>";
export const THINK_CLOSE = "</think>";
/**
 * An empty think block: what a thinking family's prompt ends with to answer at once (Qwen3's
 * `enable_thinking: false`; the lead of a forced call or an answer held to a format).
 */
export const EMPTY_THINK = `${THINK_OPEN}\n\n${THINK_CLOSE}\n\n`;
