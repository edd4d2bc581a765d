/**
 * A `Content-Disposition` value naming the file: `inline` or `attachment`, a plain ASCII
 * `filename` for old clients and the exact name as RFC 5987 `filename*`. The name is escaped
 * here, so no client-chosen name can end the header or add a parameter.
 * @example contentDisposition('résumé.pdf', false) // → attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf
 */
export function contentDisposition(name: string, inline: boolean): string {
  const fallback = name.replace(/[^\x20-\x7E]|["\\%;]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${inline ? 'inline' : 'attachment'}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
