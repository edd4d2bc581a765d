/** The attachments feature: uploads, their storage and their download links. */
export { attachmentRoutes } from './attachment.routes.js';
export { AttachmentService, type AttachmentSettings, type OpenedUpload, type UploadPart } from './attachment.service.js';
export { BLOB_KEY_PATTERN, type BlobObject, type BlobSource, type BlobStore } from './blob-store.js';
export { createAttachmentService, type AttachmentDependencies } from './create-attachment-service.js';
export { ACCEPTED_CONTENT_TYPES } from './file-types.js';
export { LocalBlobStore } from './local-blob-store.js';
export { localBlobStores } from './local-blob-stores.js';
export { ATTACHMENT_SCAN_JOB, AttachmentScanJob, type AttachmentScanDependencies } from './scanning/attachment-scan.job.js';
export { BlobQuarantine } from './scanning/blob-quarantine.js';
export { ClamdClient, type ClamdClientOptions } from './scanning/clamd-client.js';
export { createAttachmentScanJob, type AttachmentScanJobDependencies } from './scanning/create-attachment-scan-job.js';
export { ScannerUnavailableError } from './scanning/scanner-unavailable-error.js';
export type { ScanVerdict, VirusScanner } from './scanning/virus-scanner.js';
export { uploadPath, type SignedUrl, type UploadVariant } from './upload-url-signer.js';
