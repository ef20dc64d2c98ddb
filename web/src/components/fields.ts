/** Parsing for form fields where empty means "not set". */
export function optionalNumber(raw: string, { int = false }: { int?: boolean } = {}): number | null | 'invalid' {
  const t = raw.trim();
  if (!t) return null;
  const n = Number(t);
  if (!Number.isFinite(n) || (int && !Number.isInteger(n))) return 'invalid';
  return n;
}

export const numberText = (n: number | null | undefined) => (n == null ? '' : String(n));
