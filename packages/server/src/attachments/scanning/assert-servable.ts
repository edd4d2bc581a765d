import { AppError } from '../../core/errors.js';
import type { StoredAttachment } from '../../storage/store.js';

/**
 * Throws unless the upload's scan allows serving it: `clean`, or `unscanned` (best-effort mode,
 * served with a header saying so). Call after authorization, so a caller who may not read the
 * upload learns nothing of its scan.
 */
export function assertServable(upload: Pick<StoredAttachment, 'scanStatus' | 'scanDetail'>): void {
  switch (upload.scanStatus) {
    case 'clean':
    case 'unscanned':
      return;
    case 'pending':
      throw new AppError('file_pending', undefined, { scan_status: 'pending' });
    case 'infected':
      throw new AppError('file_infected', undefined, { scan_status: 'infected' });
    case 'failed':
      throw new AppError('file_scan_failed', `The file could not be scanned for viruses and will not be served: ${upload.scanDetail ?? 'no reason recorded'}`, { scan_status: 'failed' });
  }
}
