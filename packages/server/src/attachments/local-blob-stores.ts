import { join } from 'node:path';
import type { Config } from '../core/config.js';
import { LocalBlobStore } from './local-blob-store.js';

/**
 * The blob stores on the local disk: served uploads under `${DATA_DIR}/uploads`, quarantined ones
 * beside it under `${DATA_DIR}/quarantine`, outside anything a route reads.
 */
export function localBlobStores(config: Pick<Config, 'dataDir'>): { readonly uploads: LocalBlobStore; readonly quarantine: LocalBlobStore } {
  return { uploads: new LocalBlobStore(join(config.dataDir, 'uploads')), quarantine: new LocalBlobStore(join(config.dataDir, 'quarantine')) };
}
