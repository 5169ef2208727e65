// A real, minimal PDF of an invoice (one page, Helvetica, text only): what `invoice_pdf` links to.

/** PDF string literals escape backslashes and parentheses; the built-in font is Latin-1 (WinAnsi). */
function pdfText(s: string): string {
  return s
    .replace(/[^\x20-\x7e\xa0-\xff]/g, (c) => (c === '€' ? '\x80' : c === '—' ? '-' : c === '×' ? 'x' : '?'))
    .replace(/[\\()]/g, (c) => `\\${c}`);
}

/** A one-page PDF showing `lines` from the top, the first one as a title. */
export function pdfDocument(lines: readonly string[]): Buffer {
  const content = [
    'BT',
    '/F1 18 Tf',
    '56 780 Td',
    ...lines.flatMap((line, i) => [
      ...(i === 1 ? ['/F1 11 Tf'] : []),
      `(${pdfText(line)}) Tj`,
      `0 ${i === 0 ? -28 : -16} Td`,
    ]),
    'ET',
  ].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
