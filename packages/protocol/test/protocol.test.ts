import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { CLOSE_CODES, INBOUND_FRAMES, SUPPORT_DESK_CLIENT_EVENTS } from '../src/index.js';

describe('the protocol package', () => {
  it('gives every close code a distinct number, application codes in 4000-4999', () => {
    const codes = Object.values(CLOSE_CODES);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code === 1001 || code === 1008 || code === 1013 || (code >= 4000 && code < 5000), String(code)).toBe(true);
  });

  it('lets native frames carry fields it does not know (GuzoSync clients send more), but not wrong types', () => {
    const send = Compile(INBOUND_FRAMES.send_chat_message.data);
    expect(send.Check({ conversation_id: 'c1', content: 'hi', extra: true })).toBe(true);
    expect(send.Check({ conversation_id: 'c1', content: 42 })).toBe(false);
    expect(send.Check({ conversation_id: '', content: 'hi' })).toBe(false);
  });

  it('describes every support-desk client event with a session id', () => {
    for (const [event, schema] of Object.entries(SUPPORT_DESK_CLIENT_EVENTS)) {
      const check = Compile(schema);
      expect(check.Check({}), event).toBe(false);
    }
  });
});
