// Plain-text tables for the terminal.

export type Cell = string | number | null | undefined;

export function table(title: string, header: string[], rows: Cell[][], notes: string[] = []): string {
  const text = (c: Cell) => (c === null || c === undefined ? '' : String(c));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => text(r[i]).length)));
  const numeric = header.map((_, i) =>
    rows.every(
      (r) =>
        r[i] === null ||
        r[i] === undefined ||
        typeof r[i] === 'number' ||
        /^[\d.,x%+-]+( ?[a-zA-Z%]*)?$/.test(text(r[i])),
    ),
  );
  const line = (cells: Cell[]) =>
    cells
      .map((c, i) => (numeric[i] && i > 0 ? text(c).padStart(widths[i]!) : text(c).padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [
    '',
    title,
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    ...notes.map((n) => `  ${n}`),
  ].join('\n');
}

export const fmt = {
  int: (n: number | null | undefined) =>
    n === null || n === undefined || Number.isNaN(n) ? '-' : Math.round(n).toLocaleString('en-US'),
  ms: (n: number | null | undefined) =>
    n === null || n === undefined || Number.isNaN(n)
      ? '-'
      : n < 10
        ? n.toFixed(2)
        : n < 100
          ? n.toFixed(1)
          : Math.round(n).toString(),
  ratio: (n: number | null | undefined) =>
    n === null || n === undefined || Number.isNaN(n) ? '-' : `${n.toFixed(2)}x`,
  pct: (n: number | null | undefined) =>
    n === null || n === undefined || Number.isNaN(n) ? '-' : `${(n * 100).toFixed(1)}%`,
  change: (n: number | null | undefined) =>
    n === null || n === undefined || Number.isNaN(n) ? '-' : `${n >= 1 ? '+' : ''}${((n - 1) * 100).toFixed(0)}%`,
  mb: (n: number | null | undefined) =>
    n === null || n === undefined || Number.isNaN(n) ? '-' : `${Math.round(n)} MB`,
};
