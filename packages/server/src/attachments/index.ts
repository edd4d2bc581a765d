/** The attachments feature: uploads, their storage and their download links. */
export { attachmentRoutes } from './attachment.routes.js';
export { AttachmentService, type AttachmentSettings, type OpenedUpload, type UploadPart } from './attachment.service.js';
export { BLOB_KEY_PATTERN, type BlobObject, type BlobSource, type BlobStore } from './blob-store.js';
export { createAttachmentService, type AttachmentDependencies } from './create-attachment-service.js';
export { ACCEPTED_CONTENT_TYPES } from './file-types.js';
export { LocalBlobStore } from './local-blob-store.js';
export { uploadPath, type SignedUrl, type UploadVariant } from './upload-url-signer.js';
