import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderProtocolReference } from '../src/gateways/native-ws/protocol-reference.js';

const target = join(import.meta.dirname, '..', '..', '..', 'docs', 'websocket-protocol.md');
writeFileSync(target, renderProtocolReference());
console.log(`wrote ${target}`);
