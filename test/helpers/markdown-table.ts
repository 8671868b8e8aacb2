// A table a test renders and the docs hold: compared cell by cell, whatever the padding the
// formatter gives the docs' tables.

/** A markdown table's cells, row by row; a rule row's cells are `-`, or `:-`, `-:`, `:-:`. */
export function tableCells(table: string): string[][] {
  return table.split("\n").map((line) =>
    line
      .split("|")
      .slice(1, -1)
      .map((cell) => cell.trim().replace(/^(:?)-+(:?)$/, "$1-$2")),
  );
}

/** Where the table whose cells are `expected` starts among `lines` (its header row), or -1. */
export function tableStart(lines: readonly string[], expected: readonly string[][]): number {
  const header = expected[0]?.join("|");
  return lines.findIndex((line) => tableCells(line)[0]?.join("|") === header);
}
