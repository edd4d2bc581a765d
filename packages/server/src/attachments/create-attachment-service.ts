import type { Config } from '../core/config.js';
import type { ConversationAccess } from '../conversations/conversation-access.js';
import type { Store } from '../storage/store.js';
import { AttachmentService } from './attachment.service.js';
import type { BlobStore } from './blob-store.js';
import { localBlobStores } from './local-blob-stores.js';

/** What the attachment service needs from the services container. */
export interface AttachmentDependencies {
  readonly config: Config;
  readonly store: Store;
  readonly access: ConversationAccess;
  /** Wakes this node's job runner after uploads wrote scan jobs. @default does nothing */
  readonly jobsWritten?: () => void;
}

/**
 * The attachment service over the local disk (`${DATA_DIR}/uploads`), or over `blobs` when given.
 * @example const attachments = createAttachmentService({ config, store, access });
 */
export function createAttachmentService(deps: AttachmentDependencies, blobs: BlobStore = localBlobStores(deps.config).uploads): AttachmentService {
  return new AttachmentService(deps.store, deps.access, deps.config, blobs, Date.now, deps.jobsWritten);
}
