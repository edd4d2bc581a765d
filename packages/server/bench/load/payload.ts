/**
 * The bench marker every message carries: `"b":"<sender member>.<sender seq>.<send time ms>"`.
 * In Switchboard it travels in `metadata`, for the peers in the JSON payload. Receivers find it
 * without parsing the whole frame, so the load generator spends little CPU per delivery.
 */
export interface Marker {
  readonly member: number;
  readonly n: number;
  readonly sentAtMs: number;
}

/** Same length as a short chat line; the peers carry it too, so payloads are comparable. */
export const CONTENT = 'Bus 12 delayed 5 min at Piazza, regulator informed';

export function markerValue(member: number, n: number, sentAtMs: number): string {
  return `${member}.${n}.${sentAtMs.toFixed(3)}`;
}

/** The JSON the peers carry: content plus marker. */
export function peerPayload(member: number, n: number, sentAtMs: number): string {
  return `{"c":"${CONTENT}","b":"${markerValue(member, n, sentAtMs)}"}`;
}

const NEEDLE = '"b":"';
const NEEDLE_BYTES = Buffer.from(NEEDLE);
const DOT = 46;
const QUOTE = 34;

export function decodeMarker(data: Uint8Array | string): Marker | undefined {
  return typeof data === 'string' ? decodeString(data) : decodeBytes(data);
}

function decodeBytes(bytes: Uint8Array): Marker | undefined {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = buf.indexOf(NEEDLE_BYTES);
  if (at < 0) return undefined;
  let i = at + NEEDLE_BYTES.length;
  let member = 0;
  for (let c = buf[i]!; c !== DOT; c = buf[++i]!) {
    if (c < 48 || c > 57) return undefined;
    member = member * 10 + (c - 48);
  }
  i++;
  let n = 0;
  for (let c = buf[i]!; c !== DOT; c = buf[++i]!) {
    if (c < 48 || c > 57) return undefined;
    n = n * 10 + (c - 48);
  }
  i++;
  const end = buf.indexOf(QUOTE, i);
  if (end < 0) return undefined;
  const sentAtMs = Number(buf.toString('latin1', i, end));
  return Number.isFinite(sentAtMs) ? { member, n, sentAtMs } : undefined;
}

function decodeString(text: string): Marker | undefined {
  const at = text.indexOf(NEEDLE);
  if (at < 0) return undefined;
  const start = at + NEEDLE.length;
  const end = text.indexOf('"', start);
  if (end < 0) return undefined;
  const parts = text.slice(start, end).split('.');
  const member = Number(parts[0]);
  const n = Number(parts[1]);
  const sentAtMs = Number(parts.slice(2).join('.'));
  return Number.isInteger(member) && Number.isInteger(n) && Number.isFinite(sentAtMs) ? { member, n, sentAtMs } : undefined;
}
