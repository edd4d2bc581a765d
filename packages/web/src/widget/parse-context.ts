/** `trip:123` → `{type: 'trip', id: '123'}`; the id may itself hold colons. */
export function parseContext(value: string | null): { type: string; id: string } | null {
  if (!value) return null;
  const at = value.indexOf(':');
  if (at <= 0 || at === value.length - 1) return null;
  return { type: value.slice(0, at), id: value.slice(at + 1) };
}
