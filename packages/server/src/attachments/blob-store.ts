import type { Readable } from 'node:stream';

/** Bytes to store: a buffer, or a stream (any async iterable of chunks) read to its end. */
export type BlobSource = Uint8Array | AsyncIterable<Uint8Array>;

/** A stored blob opened for reading. */
export interface BlobObject {
  /** The bytes, from the first; the reader must consume or destroy it. */
  readonly stream: Readable;
  /** Its length in bytes, for `Content-Length`. */
  readonly size: number;
}

/**
 * Where uploaded bytes live: the port features use, filled by the local disk today and by any
 * object store later. Keys are chosen by the server, never by a client, and match
 * {@link BLOB_KEY_PATTERN}; an implementation rejects any other key instead of interpreting it.
 * Blobs are immutable once written: a key is written once and then only read or deleted.
 */
export interface BlobStore {
  /**
   * Stores every byte of `source` under `key` and resolves the number of bytes written. The blob
   * becomes visible to `get`/`exists` only once complete: a reader never sees a partial blob.
   * When `source` throws (a size limit, a client that went away) or the write fails, nothing is
   * left under the key or anywhere else, and the source's error is rethrown as it is.
   * @example const size = await blobs.put(key, request.file);
   */
  put(key: string, source: BlobSource): Promise<number>;
  /** Opens the blob for reading, or resolves `undefined` when no blob has that key. */
  get(key: string): Promise<BlobObject | undefined>;
  /** Removes the blob; removing a key that does not exist is not an error. */
  delete(key: string): Promise<void>;
  /** Whether a complete blob is stored under the key. */
  exists(key: string): Promise<boolean>;
  /**
   * The keys of complete blobs last written before `before`, in no particular order, for a
   * sweep that looks for blobs no record claims (a crash between the bytes and the record).
   */
  keysBefore(before: Date): AsyncIterable<string>;
  /**
   * Removes what interrupted writes left behind (a process killed mid-upload) that is older than
   * `before`, and resolves how many. Writes still running are younger and stay.
   */
  deleteIncomplete(before: Date): Promise<number>;
}

/** The shape of every key: no dots, slashes or anything a path or URL could give meaning to. */
export const BLOB_KEY_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/** Throws when the key is not one the server could have generated. */
export function assertBlobKey(key: string): void {
  if (!BLOB_KEY_PATTERN.test(key)) throw new TypeError(`Invalid blob key: ${JSON.stringify(key.slice(0, 40))}`);
}
