import { randomBytes, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Actor, UserActor } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import type { Attachment, ScanStatus } from '../core/model.js';
import type { ConversationAccess } from '../conversations/conversation-access.js';
import type { Store, StoredAttachment } from '../storage/store.js';
import type { BlobStore } from './blob-store.js';
import { inspectBytes, limitBytes, readAll, readHead } from './byte-streams.js';
import { DETECTION_HEAD_BYTES, detectFileType, isImageType, isInlineType } from './file-types.js';
import { sanitizeFileName } from './sanitize-file-name.js';
import { assertServable } from './scanning/assert-servable.js';
import { scanJobFor } from './scanning/attachment-scan.job.js';
import { makeThumbnail, THUMBNAIL_CONTENT_TYPE } from './thumbnailer.js';
import { uploadPath, UploadUrlSigner, type SignedUrl, type UploadVariant } from './upload-url-signer.js';
import { Utf8TextCheck } from './utf8-text-check.js';

/** One file of an upload request, as the transport hands it over. */
export interface UploadPart {
  /** The client's name for the file; display metadata only. */
  readonly filename: string | undefined;
  /** The bytes. Read to the end, or abandoned (and destroyed) when the upload fails. */
  readonly stream: AsyncIterable<Uint8Array>;
}

export interface AttachmentSettings {
  /** Largest file, in bytes. */
  readonly uploadMaxFileBytes: number;
  /** Files per upload request. */
  readonly uploadMaxFiles: number;
  /** Key material for signing download links. */
  readonly jwtSecret: string;
  /** Seconds an upload may wait for a message before it is deleted. */
  readonly uploadUnclaimedTtlSeconds: number;
  /** The virus scanner; when set, every upload is `pending` and owes a scan job until it settles. */
  readonly clamdUrl: string | undefined;
}

/** An upload opened for download. */
export interface OpenedUpload {
  readonly attachment: StoredAttachment;
  /** Display name to offer when saving (the thumbnail's ends in `.webp`). */
  readonly name: string;
  /** The type decided from the bytes at upload (`image/webp` for thumbnails). */
  readonly contentType: string;
  /** True for raster images, which browsers may show in place; everything else is a download. */
  readonly inline: boolean;
  readonly size: number;
  readonly stream: Readable;
  /** `clean`, or `unscanned` (best-effort mode): the transport says which. */
  readonly scanStatus: ScanStatus;
}

/** Unclaimed uploads looked at per query while purging. */
const PURGE_BATCH = 100;
/** How old a blob without a record must be before a sweep takes it: longer than any upload takes. */
const ORPHAN_GRACE_MS = 3_600_000;

/** Uploads most ids a message can claim at once; more is a malformed request. */
const MAX_CLAIM = 100;

/** What one upload request has written so far, to be undone if any part of it fails. */
interface Written {
  readonly blobKeys: string[];
  readonly recordIds: string[];
}

/**
 * Uploaded files: stored first (unbound, owned by the uploader), then claimed by a message in a
 * conversation, then readable by whoever may read that conversation.
 */
export class AttachmentService {
  private readonly signer: UploadUrlSigner;

  constructor(
    private readonly store: Store,
    private readonly access: ConversationAccess,
    private readonly settings: AttachmentSettings,
    private readonly blobs: BlobStore,
    now: () => number = Date.now,
    /** Told after uploads wrote scan jobs, to wake this node's job runner. */
    private readonly jobsWritten: () => void = () => {},
  ) {
    this.signer = new UploadUrlSigner(settings.jwtSecret, now);
  }

  /**
   * Stores every file of one request, all or nothing: each is streamed with a size cap, typed
   * from its bytes, stored under a generated key and (for images) thumbnailed. If anything fails,
   * every blob and record this request wrote is deleted before the error is rethrown.
   */
  async upload(actor: Actor, parts: AsyncIterable<UploadPart>, options: { allowNone?: boolean } = {}): Promise<StoredAttachment[]> {
    const uploader = uploaderOf(actor);
    const written: Written = { blobKeys: [], recordIds: [] };
    try {
      const files: Omit<StoredAttachment, 'conversationId' | 'messageId'>[] = [];
      for await (const part of parts) {
        if (files.length >= this.settings.uploadMaxFiles) {
          throw new AppError('too_many_files', `At most ${this.settings.uploadMaxFiles} files per upload`);
        }
        files.push(await this.storeFile(uploader.user.id, part, files.length, written));
      }
      if (files.length === 0 && !options.allowNone) throw new AppError('validation_failed', 'No file was sent', [{ path: '/attachments', message: 'at least one file is required' }]);
      const records: StoredAttachment[] = [];
      for (const file of files) {
        written.recordIds.push(file.id);
        // The scan is owed in the record's own transaction: no crash can leave a file unscanned.
        records.push(await this.store.attachments.insert(file, file.scanStatus === 'pending' ? [scanJobFor(file.id)] : []));
      }
      if (records.some((r) => r.scanStatus === 'pending')) this.jobsWritten();
      return records;
    } catch (error) {
      await this.undo(written);
      throw error;
    }
  }

  /**
   * Binds the caller's own, still unbound uploads to a conversation they may write to, all or
   * nothing, and returns them as a message carries them.
   */
  async claim(actor: Actor, conversationId: string, uploadIds: readonly string[]): Promise<Attachment[]> {
    const uploader = uploaderOf(actor);
    const ids = [...new Set(uploadIds)];
    if (ids.length === 0) return [];
    if (ids.length > MAX_CLAIM) throw invalidClaim(`at most ${MAX_CLAIM} attachments`);
    await this.access.write(actor, conversationId);
    const bound = await this.store.attachments.bind(ids, uploader.user.id, conversationId);
    if (!bound) throw invalidClaim('every id must be an upload of yours not attached to anything yet');
    return bound.map((stored) => this.toModel(stored));
  }

  /** Gives claimed uploads back when the message that claimed them was not written. */
  async release(ids: readonly string[]): Promise<void> {
    await this.store.attachments.release(ids);
  }

  /** Records which message carries the claimed uploads. */
  async setMessage(ids: readonly string[], messageId: string): Promise<void> {
    await this.store.attachments.setMessage(ids, messageId);
  }

  /** Opens an upload for its uploader, or for whoever may read the conversation it was sent to. */
  async open(actor: Actor, id: string, variant: UploadVariant): Promise<OpenedUpload> {
    const stored = await this.readable(actor, id);
    assertServable(stored);
    return this.read(stored, variant);
  }

  /** Opens an upload through a signed link, with no other credential. */
  async openSigned(id: string, variant: UploadVariant, expires: string, signature: string): Promise<OpenedUpload> {
    if (!this.signer.verify(id, variant, expires, signature)) throw new AppError('invalid_signature');
    const stored = await this.store.attachments.byId(id);
    if (!stored) throw new AppError('upload_not_found');
    assertServable(stored);
    return this.read(stored, variant);
  }

  /** A link anyone holding it may download from until it expires. Authorize before calling. */
  signUrl(id: string, variant: UploadVariant, ttlSeconds: number): SignedUrl {
    return this.signer.sign(id, variant, ttlSeconds);
  }

  /** {@link signUrl} for a caller who may open the upload themselves. */
  async grantUrl(actor: Actor, id: string, variant: UploadVariant, ttlSeconds: number): Promise<SignedUrl> {
    const stored = await this.readable(actor, id);
    if (variant === 'thumbnail' && stored.thumbnailKey === null) throw new AppError('upload_not_found', 'This upload has no thumbnail');
    // No link to bytes that would not be served now; a link made earlier is checked when used.
    assertServable(stored);
    return this.signUrl(stored.id, variant, ttlSeconds);
  }

  /** The model a message carries, with the download paths. */
  toModel(stored: StoredAttachment): Attachment {
    return {
      id: stored.id,
      name: stored.name,
      contentType: stored.contentType,
      size: stored.size,
      url: uploadPath(stored.id, 'original'),
      ...(stored.thumbnailKey !== null && { thumbnailUrl: uploadPath(stored.id, 'thumbnail') }),
      scanStatus: stored.scanStatus,
    };
  }

  private async storeFile(uploaderId: string, part: UploadPart, index: number, written: Written): Promise<Omit<StoredAttachment, 'conversationId' | 'messageId'>> {
    const name = sanitizeFileName(part.filename);
    const tooLarge = () => new AppError('file_too_large', `"${name}" is larger than ${this.settings.uploadMaxFileBytes} bytes`, { index, name });
    const head = await readHead(limitBytes(part.stream, this.settings.uploadMaxFileBytes, tooLarge), DETECTION_HEAD_BYTES);
    try {
      if (head.head.length === 0) throw new AppError('empty_file', `"${name}" is empty`, { index, name });
      const type = await detectFileType(head.head, name, head.complete);
      if (!type) throw notAccepted(name, index);
      const storageKey = newBlobKey();
      written.blobKeys.push(storageKey);
      const body = type.text ? inspectBytes(head.all, textCheck(() => notAccepted(name, index))) : head.all;
      const size = await this.blobs.put(storageKey, body);
      const thumbnailKey = isImageType(type.contentType) ? await this.storeThumbnail(storageKey, name, index, written) : null;
      const scanStatus: ScanStatus = this.settings.clamdUrl === undefined ? 'clean' : 'pending';
      return { id: randomUUID(), uploaderId, name, contentType: type.contentType, size, storageKey, thumbnailKey, createdAt: new Date().toISOString(), scanStatus, scanDetail: null };
    } finally {
      await head.close();
    }
  }

  private async storeThumbnail(storageKey: string, name: string, index: number, written: Written): Promise<string> {
    const original = await this.blobs.get(storageKey);
    if (!original) throw new Error(`blob ${storageKey} vanished right after it was written`);
    const thumbnail = await makeThumbnail(await readAll(original.stream)).catch(() => {
      throw new AppError('unsupported_file_type', `"${name}" is not a readable image (or is over 50 megapixels)`, { index, name });
    });
    const key = newBlobKey();
    written.blobKeys.push(key);
    await this.blobs.put(key, thumbnail);
    return key;
  }

  /** Best effort: a failure here must not hide the error that caused it. */
  /**
   * Deletes uploads no message claimed within `uploadUnclaimedTtlSeconds` of `now`, record first
   * and then bytes: a crash in between leaves unreferenced bytes, never a record without them.
   * Resolves how many were deleted.
   */
  async purgeUnclaimed(now = Date.now()): Promise<number> {
    const cutoff = new Date(now - this.settings.uploadUnclaimedTtlSeconds * 1000).toISOString();
    let deleted = 0;
    for (;;) {
      const stale = await this.store.attachments.unboundBefore(cutoff, PURGE_BATCH);
      for (const upload of stale) {
        if (!(await this.store.attachments.deleteUnbound(upload.id))) continue;
        await Promise.allSettled([upload.storageKey, upload.thumbnailKey].filter((k): k is string => k !== null).map((key) => this.blobs.delete(key)));
        deleted++;
      }
      if (stale.length < PURGE_BATCH) return deleted;
    }
  }

  /**
   * Deletes bytes no record will ever claim: partial writes of uploads a crash interrupted, and
   * complete blobs whose record was never written (a crash between the two). Only what is older
   * than `graceMs` is touched, so an upload under way keeps its blob until its record lands.
   */
  async sweepOrphans(graceMs = ORPHAN_GRACE_MS, now = Date.now()): Promise<{ partial: number; orphaned: number }> {
    const before = new Date(now - graceMs);
    const partial = await this.blobs.deleteIncomplete(before);
    let orphaned = 0;
    let batch: string[] = [];
    const settle = async () => {
      const inUse = await this.store.attachments.keysInUse(batch);
      for (const key of batch) {
        if (inUse.has(key)) continue;
        await this.blobs.delete(key);
        orphaned++;
      }
      batch = [];
    };
    for await (const key of this.blobs.keysBefore(before)) {
      batch.push(key);
      if (batch.length >= PURGE_BATCH) await settle();
    }
    await settle();
    return { partial, orphaned };
  }

  private async undo(written: Written): Promise<void> {
    await Promise.allSettled([
      ...written.recordIds.map((id) => this.store.attachments.deleteUnbound(id)),
      ...written.blobKeys.map((key) => this.blobs.delete(key)),
    ]);
  }

  private async readable(actor: Actor, id: string): Promise<StoredAttachment> {
    const stored = await this.store.attachments.byId(id);
    if (!stored) throw new AppError('upload_not_found');
    const isUploader = actor.kind === 'user' && actor.user.id === stored.uploaderId;
    if (isUploader) return stored;
    if (stored.conversationId !== null) {
      // Throws not_participant (403) or conversation_not_found (404).
      await this.access.read(actor, stored.conversationId);
      return stored;
    }
    // Services read every conversation, so they may read uploads not yet sent to one too.
    if (actor.kind === 'service') return stored;
    throw new AppError('forbidden', 'Only the uploader can open an upload that has not been sent');
  }

  private async read(stored: StoredAttachment, variant: UploadVariant): Promise<OpenedUpload> {
    const key = variant === 'thumbnail' ? stored.thumbnailKey : stored.storageKey;
    if (key === null) throw new AppError('upload_not_found', 'This upload has no thumbnail');
    const blob = await this.blobs.get(key);
    if (!blob) throw new AppError('upload_not_found', 'The file of this upload is missing');
    const contentType = variant === 'thumbnail' ? THUMBNAIL_CONTENT_TYPE : stored.contentType;
    const name = variant === 'thumbnail' ? `${stored.name.replace(/\.[^.]*$/, '') || 'thumbnail'}.webp` : stored.name;
    return { attachment: stored, name, contentType, inline: isInlineType(contentType), size: blob.size, stream: blob.stream, scanStatus: stored.scanStatus };
  }
}

function uploaderOf(actor: Actor): UserActor {
  if (actor.kind !== 'user') throw new AppError('forbidden', 'Uploads need a user token, not an API key');
  return actor;
}

/** 32 random URL-safe characters: unguessable, and meaningless as a path. */
function newBlobKey(): string {
  return randomBytes(24).toString('base64url');
}

function notAccepted(name: string, index: number): AppError {
  return new AppError('unsupported_file_type', `"${name}" is not an accepted type of file (images, PDF, Word, Excel, plain text)`, { index, name });
}

function invalidClaim(message: string): AppError {
  return new AppError('validation_failed', `attachments: ${message}`, [{ path: '/attachments', message }]);
}

function textCheck(fail: () => AppError): { push(chunk: Uint8Array): void; end(): void } {
  const check = new Utf8TextCheck();
  return {
    push: (chunk) => {
      if (!check.push(chunk)) throw fail();
    },
    end: () => {
      if (!check.end()) throw fail();
    },
  };
}
