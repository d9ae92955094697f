// The closing table: one row per figure, columns aligned, the value column right-aligned.

const COLUMNS = [
  { key: 'benchmark', title: 'benchmark' },
  { key: 'figure', title: 'figure' },
  { key: 'value', title: 'value', alignRight: true },
  { key: 'verdict', title: 'target / verdict' },
];

export function formatTable(rows) {
  const widths = COLUMNS.map((column) => Math.max(column.title.length, ...rows.map((row) => String(row[column.key] ?? '').length)));
  const line = (cells) =>
    cells
      .map((cell, index) => (COLUMNS[index].alignRight ? String(cell).padStart(widths[index]) : String(cell).padEnd(widths[index])))
      .join('  ')
      .trimEnd();
  const header = line(COLUMNS.map((column) => column.title));
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [header, rule, ...rows.map((row) => line(COLUMNS.map((column) => row[column.key] ?? '')))].join('\n');
}

/** `1234.5, 'ms'` → `1234.5 ms`; ratios get an `x`; counts stay bare. */
export function formatValue(value, unit) {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return 'n/a';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const number = value.toFixed(digits);
  if (unit === 'x') return `${number}x`;
  return unit ? `${number} ${unit}` : number;
}
