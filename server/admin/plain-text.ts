/**
 * A command's result as an operator reads it: `key: value` lines, nested objects indented, lists
 * one item a line (objects in a list as `key=value` pairs), nothing for an empty list but "(none)".
 */
export function plainText(value: unknown): string {
  return `${lines(value, '').join('\n')}\n`;
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function pairs(o: Record<string, unknown>): string {
  return Object.entries(o)
    .map(([k, v]) => `${k}=${scalar(v)}`)
    .join('  ');
}

function lines(value: unknown, indent: string): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${indent}(none)`];
    return value.map((item) =>
      item && typeof item === 'object' && !Array.isArray(item)
        ? `${indent}${pairs(item as Record<string, unknown>)}`
        : `${indent}${scalar(item)}`,
    );
  }
  if (value && typeof value === 'object') {
    const out: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      if (v && typeof v === 'object' && (!Array.isArray(v) || v.length > 0)) {
        out.push(`${indent}${k}:`);
        out.push(...lines(v, `${indent}  `));
      } else out.push(`${indent}${k}: ${Array.isArray(v) ? '(none)' : scalar(v)}`);
    }
    return out;
  }
  return [`${indent}${scalar(value)}`];
}
