// How the emulated model streams: its text cut into small pieces of whole code points, one
// "token" each, with every think / tool-call marker cut in two so that clients must handle a
// marker spread over two chunks. Pure functions.

import { advanceCodePoints, utf8Length } from "./code-points.ts";

const PIECE_SIZES = [3, 5, 2, 4, 6, 1, 4];
/**
 * Past this many pieces, pieces grow instead: a 9 MB echo streams in about this many frames,
 * not in millions (a real model would take hours to write it anyway).
 */
const MAX_PIECES = 20_000;
const AVERAGE_PIECE = PIECE_SIZES.reduce((sum, size) => sum + size, 0) / PIECE_SIZES.length;
/** Markers cut in two, at most: an answer's own markers come early; an echo of megabytes may hold millions. */
const MAX_MARKER_CUTS = 1000;

const SPLIT_MARKERS = [
  "<think>",
  "</think>",
  "<tool_call>",
  "</tool_call>",
  "<｜tool▁calls▁begin｜>",
  "<｜tool▁call▁begin｜>",
  "<｜tool▁sep｜>",
  "<｜tool▁call▁end｜>",
  "<｜tool▁calls▁end｜>",
];

export function splitPieces(text: string): string[] {
  const scale = Math.max(1, Math.ceil(text.length / (MAX_PIECES * AVERAGE_PIECE)));
  const pieces: string[] = [];
  let sizeIndex = 0;
  for (const segment of cutInsideMarkers(text)) {
    for (let start = 0; start < segment.length; ) {
      const size = (PIECE_SIZES[sizeIndex++ % PIECE_SIZES.length] ?? 4) * scale;
      const end = advanceCodePoints(segment, start, size);
      pieces.push(segment.slice(start, end));
      start = end;
    }
  }
  return pieces;
}

function cutInsideMarkers(text: string): string[] {
  const cuts: number[] = [];
  for (const marker of SPLIT_MARKERS) {
    for (let at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + marker.length)) {
      cuts.push(at + Math.floor(marker.length / 2));
    }
  }
  cuts.sort((a, b) => a - b);
  const segments: string[] = [];
  let start = 0;
  for (const cut of cuts.slice(0, MAX_MARKER_CUTS)) {
    segments.push(text.slice(start, cut));
    start = cut;
  }
  segments.push(text.slice(start));
  return segments.filter((segment) => segment.length > 0);
}

/** `long<N>`: N pieces `w0 `, `w1 `, …; with `words<K>`, K such words a piece. */
export function longPieces(count: number, words = 1): string[] {
  return Array.from({ length: count }, (_, piece) => {
    let text = "";
    for (let word = piece * words; word < (piece + 1) * words; word++) text += `w${word} `;
    return text;
  });
}

/** Deterministic prompt size: ceil(UTF-8 bytes / 4), at least 1. */
export function tokensOf(text: string): number {
  return Math.max(1, Math.ceil(utf8Length(text) / 4));
}
