import type { StoredAttachment } from '../../storage/store.js';
import type { BlobStore } from '../blob-store.js';

/**
 * Takes an infected upload's bytes out of the served area. The file moves, under the same key, to
 * a store no route reads from (`${DATA_DIR}/quarantine` by default), where an admin can inspect
 * it or restore a false positive; its thumbnail, made from the same bytes, is deleted. Moving
 * rather than deleting because ClamAV does report false positives, and a deleted file cannot be
 * given back. Idempotent: once moved, a repeat finds nothing left to move.
 */
export class BlobQuarantine {
  constructor(
    private readonly served: BlobStore,
    private readonly quarantine: BlobStore,
  ) {}

  /** Moves the file into quarantine and deletes its thumbnail; resolves once neither is served. */
  async isolate(upload: Pick<StoredAttachment, 'storageKey' | 'thumbnailKey'>): Promise<void> {
    const blob = await this.served.get(upload.storageKey);
    if (blob) {
      // Copied before the original goes: a crash in between leaves two copies, never none.
      await this.quarantine.put(upload.storageKey, blob.stream);
      await this.served.delete(upload.storageKey);
    }
    if (upload.thumbnailKey !== null) await this.served.delete(upload.thumbnailKey);
  }
}
