import type { Logger } from 'pino';
import type { Config } from '../../core/config.js';
import type { Store } from '../../storage/store.js';
import type { BlobStore } from '../blob-store.js';
import { localBlobStores } from '../local-blob-stores.js';
import { AttachmentScanJob, type EventPublisher } from './attachment-scan.job.js';
import { BlobQuarantine } from './blob-quarantine.js';
import { ClamdClient } from './clamd-client.js';

/** What the scan job needs from the services container. */
export interface AttachmentScanJobDependencies {
  readonly config: Pick<Config, 'clamdUrl' | 'clamdTimeoutMs' | 'scanMode' | 'jobMaxAttempts' | 'dataDir'>;
  readonly store: Pick<Store, 'attachments'>;
  readonly publisher: EventPublisher;
  readonly logger: Pick<Logger, 'warn' | 'error'>;
}

/**
 * The `attachments.scan` job over clamd at `CLAMD_URL` and the local disk, or `undefined` when no
 * scanner is configured (uploads are then `clean` at once and owe no scan).
 * @example const scan = createAttachmentScanJob({ config, store, publisher, logger }); if (scan) jobs.register(scan.kind, scan.handle);
 */
export function createAttachmentScanJob(deps: AttachmentScanJobDependencies, blobs: { uploads: BlobStore; quarantine: BlobStore } = localBlobStores(deps.config)): AttachmentScanJob | undefined {
  const { config } = deps;
  if (config.clamdUrl === undefined) return undefined;
  return new AttachmentScanJob({
    store: deps.store,
    blobs: blobs.uploads,
    quarantine: new BlobQuarantine(blobs.uploads, blobs.quarantine),
    scanner: new ClamdClient({ url: config.clamdUrl, timeoutMs: config.clamdTimeoutMs }),
    publisher: deps.publisher,
    logger: deps.logger,
    settings: { scanMode: config.scanMode, jobMaxAttempts: config.jobMaxAttempts },
  });
}
