import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INBOUND_FRAMES } from '@switchboard/protocol';
import { renderProtocolReference } from '../../src/gateways/native-ws/protocol-reference.js';

describe('the WebSocket protocol reference', () => {
  it('is committed as generated from the schemas the gateway validates with (run `npm run docs:ws`)', () => {
    const committed = readFileSync(join(import.meta.dirname, '..', '..', '..', '..', 'docs', 'websocket-protocol.md'), 'utf8');
    expect(committed).toBe(renderProtocolReference());
  });

  it('documents every inbound event and GuzoSync’s eight', () => {
    const reference = renderProtocolReference();
    for (const type of Object.keys(INBOUND_FRAMES)) expect(reference).toContain(`### \`${type}\``);
    for (const type of ['send_chat_message', 'create_support_conversation', 'get_active_conversations', 'get_conversation_messages', 'join_conversation', 'join_support_room', 'typing_indicator', 'mark_message_read']) {
      expect(INBOUND_FRAMES).toHaveProperty(type);
    }
  });
});
