// Text measured and cut in Unicode code points, without materialising an array of characters:
// answers and echoed prompts can be megabytes long.

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

export function countCodePoints(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index++) {
    if (!isLowSurrogate(text.charCodeAt(index))) count++;
  }
  return count;
}

/** The UTF-16 index `count` code points after `start` (or the end of the text). */
export function advanceCodePoints(text: string, start: number, count: number): number {
  let at = start;
  for (let step = 0; step < count && at < text.length; step++) {
    const pair = isHighSurrogate(text.charCodeAt(at)) && isLowSurrogate(text.charCodeAt(at + 1));
    at += pair ? 2 : 1;
  }
  return at;
}

/** The UTF-8 length of the text (lone surrogates count as U+FFFD, 3 bytes, as TextEncoder writes them). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (isHighSurrogate(code) && isLowSurrogate(text.charCodeAt(index + 1))) {
      bytes += 4;
      index++;
    } else bytes += 3;
  }
  return bytes;
}
