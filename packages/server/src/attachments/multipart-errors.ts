import { AppError } from '../core/errors.js';

/** @fastify/multipart's failure codes, mapped to the registry. */
const MULTIPART_CODES: Readonly<Record<string, () => AppError>> = {
  FST_REQ_FILE_TOO_LARGE: () => new AppError('file_too_large'),
  FST_FILES_LIMIT: () => new AppError('too_many_files'),
  FST_PARTS_LIMIT: () => new AppError('payload_too_large', 'The form has too many parts'),
  FST_FIELDS_LIMIT: () => new AppError('payload_too_large', 'The form has too many fields'),
  FST_INVALID_MULTIPART_CONTENT_TYPE: () => new AppError('unsupported_media_type', 'Send files as multipart/form-data'),
  FST_PROTO_VIOLATION: () => new AppError('bad_request', 'A form field name is not allowed'),
  FST_INVALID_JSON_FIELD_ERROR: () => new AppError('bad_request', 'A JSON form field is not valid JSON'),
  FST_MP_PREMATURE_CLOSE: () => new AppError('bad_request', 'The request ended before the form was complete'),
};

/**
 * Turns a failure raised while reading a multipart body into a registry error. Only errors of
 * the multipart source come here, so anything unknown is the client's malformed form (busboy's
 * "Unexpected end of form", "Malformed part header"…), never a server fault.
 */
export function toMultipartError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const make = typeof code === 'string' ? MULTIPART_CODES[code] : undefined;
  return make ? make() : new AppError('bad_request', 'The multipart body is malformed');
}
