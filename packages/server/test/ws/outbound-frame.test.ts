import { describe, expect, it } from 'vitest';
import { Sender } from 'ws';
import { OutboundFrame } from '../../src/realtime/ws/ws-connection.js';

/** Reads one unmasked frame as RFC 6455 lays it out. */
function decode(bytes: Buffer): { fin: boolean; opcode: number; masked: boolean; text: string } {
  let length = bytes[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    length = bytes.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    length = Number(bytes.readBigUInt64BE(2));
    offset = 10;
  }
  expect(bytes.length).toBe(offset + length);
  return { fin: (bytes[0]! & 0x80) !== 0, opcode: bytes[0]! & 0x0f, masked: (bytes[1]! & 0x80) !== 0, text: bytes.subarray(offset).toString('utf8') };
}

describe('OutboundFrame', () => {
  it.each([
    ['short', 'x'.repeat(10)],
    ['125 bytes', 'x'.repeat(125)],
    ['16-bit length', 'x'.repeat(126)],
    ['65,535 bytes', 'x'.repeat(65_535)],
    ['64-bit length', 'x'.repeat(65_536)],
    ['long', 'x'.repeat(70_000)],
    ['multi-byte UTF-8', '{"content":"ሰላም 👋"}'],
  ])('encodes a final, unmasked text frame (%s)', (_name, text) => {
    expect(decode(new OutboundFrame(text).bytes)).toEqual({ fin: true, opcode: 1, masked: false, text });
  });

  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 200_000])('matches the bytes ws would send for %i bytes', (length) => {
    // Two-byte characters where they fit, so the byte length is not the string's length.
    const text = 'é'.repeat(Math.floor(length / 2)) + 'x'.repeat(length % 2);
    const expected = Buffer.concat(Sender.frame(Buffer.from(text), { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false }));
    expect(new OutboundFrame(text).bytes.equals(expected)).toBe(true);
  });

  it('encodes once and hands every recipient the same bytes', () => {
    const frame = new OutboundFrame('{"type":"new_message"}');
    expect(frame.bytes).toBe(frame.bytes);
  });
});
