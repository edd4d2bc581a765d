import { join } from 'node:path';
import type { Config } from '../core/config.js';
import type { ConversationAccess } from '../conversations/conversation-access.js';
import type { Store } from '../storage/store.js';
import { AttachmentService } from './attachment.service.js';
import type { BlobStore } from './blob-store.js';
import { LocalBlobStore } from './local-blob-store.js';

/** What the attachment service needs from the services container. */
export interface AttachmentDependencies {
  readonly config: Config;
  readonly store: Store;
  readonly access: ConversationAccess;
}

/**
 * The attachment service over the local disk (`${DATA_DIR}/uploads`), or over `blobs` when given.
 * @example const attachments = createAttachmentService({ config, store, access });
 */
export function createAttachmentService(deps: AttachmentDependencies, blobs: BlobStore = new LocalBlobStore(join(deps.config.dataDir, 'uploads'))): AttachmentService {
  return new AttachmentService(deps.store, deps.access, deps.config, blobs);
}
