// Special tokens that the templates write and the answer parsers read back (answer-splitter.ts,
// tool-syntax.ts, the routes): here, apart from the templates, so that reading a Llama answer
// does not load the Qwen template, nor a Qwen answer the DeepSeek one.

// Qwen (ChatML).
export const IM_START = "<|im_start|>";
export const IM_END = "<|im_end|>";
/** Qwen's end-of-text token: not written by the templates, but a model may print it to stop. */
export const ENDOFTEXT = "<|endoftext|>";
export const TOOL_CALL_OPEN = "<tool_call>";
export const TOOL_CALL_CLOSE = "</tool_call>";

// DeepSeek R1 (`｜` is U+FF5C and `▁` is U+2581).
export const EOS = "<｜end▁of▁sentence｜>";
export const TOOL_CALLS_BEGIN = "<｜tool▁calls▁begin｜>";
export const TOOL_CALLS_END = "<｜tool▁calls▁end｜>";
export const TOOL_CALL_BEGIN = "<｜tool▁call▁begin｜>";
export const TOOL_CALL_END = "<｜tool▁call▁end｜>";
export const TOOL_SEP = "<｜tool▁sep｜>";
