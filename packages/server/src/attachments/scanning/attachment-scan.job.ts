import type { Logger } from 'pino';
import { topics, type DomainEvent } from '../../bus/domain-event.js';
import type { ScanMode } from '../../core/config.js';
import type { ScanStatus } from '../../core/model.js';
import type { JobHandler } from '../../jobs/job-handler.js';
import type { Job, NewJob, Store, StoredAttachment } from '../../storage/store.js';
import type { BlobStore } from '../blob-store.js';
import type { BlobQuarantine } from './blob-quarantine.js';
import { ScannerUnavailableError } from './scanner-unavailable-error.js';
import type { ScanVerdict, VirusScanner } from './virus-scanner.js';

/** The outbox job kind that scans one upload; its subject is the attachment id. */
export const ATTACHMENT_SCAN_JOB = 'attachments.scan';

/** The scan an upload owes, written with its record: one per upload, whatever retries the upload. */
export function scanJobFor(attachmentId: string): NewJob {
  return { id: `${attachmentId}:${ATTACHMENT_SCAN_JOB}`, kind: ATTACHMENT_SCAN_JOB, subjectId: attachmentId };
}

/** Publishes after a commit and never rejects (the messages feature's `AfterCommitPublisher`). */
export interface EventPublisher {
  publish(topic: string, event: DomainEvent): Promise<void>;
}

export interface AttachmentScanDependencies {
  readonly store: Pick<Store, 'attachments'>;
  /** Where uploads are served from (the bytes to scan). */
  readonly blobs: BlobStore;
  readonly quarantine: BlobQuarantine;
  readonly scanner: VirusScanner;
  readonly publisher: EventPublisher;
  readonly logger: Pick<Logger, 'warn' | 'error'>;
  readonly settings: {
    readonly scanMode: ScanMode;
    /** The runner's `JOB_MAX_ATTEMPTS`: on the last one, a scan that cannot run settles instead of retrying. */
    readonly jobMaxAttempts: number;
  };
  /** The clock; tests pass their own. @default () => new Date() */
  readonly now?: () => Date;
}

/** Statuses a scan may still change: never scanned, or served unscanned in best-effort mode. */
const SCANNABLE: readonly ScanStatus[] = ['pending', 'unscanned'];

/**
 * Why a scan ended without a verdict, as readers are told (`scan_detail`, the download error).
 * Addresses and clamd's own words stay in the log.
 */
const REASONS = {
  tooLarge: "the file is larger than the virus scanner accepts (clamd's StreamMaxLength)",
  notRun: 'the virus scanner could not be reached',
  missing: 'the stored file is missing',
} as const;

/**
 * The `attachments.scan` job: streams an upload's bytes to the scanner and settles its status.
 * `clean` makes it downloadable. `infected` is final: the bytes are quarantined, an audit line is
 * logged at warn with the signature, and admins are told on `topics.admin`. A scan that cannot
 * run is thrown, so the runner retries it with backoff; under `required` the file stays
 * `pending` meanwhile and becomes `failed` on the last attempt; under `best_effort` it is served
 * as `unscanned` from the first failure and a later success still settles it.
 *
 * Idempotent, as the runner requires: every transition is conditional on the status it leaves,
 * so a repeated run of a settled upload does nothing, except finishing a quarantine that a
 * crash interrupted (the admin event may then be sent twice; never zero times).
 */
export class AttachmentScanJob {
  readonly kind = ATTACHMENT_SCAN_JOB;
  private readonly now: () => Date;

  constructor(private readonly deps: AttachmentScanDependencies) {
    this.now = deps.now ?? (() => new Date());
  }

  readonly handle: JobHandler = async (job) => {
    const upload = await this.deps.store.attachments.byId(job.subjectId);
    // Deleted meanwhile (an unclaimed upload purged, a failed upload undone): nothing to scan.
    if (!upload) return;
    if (upload.scanStatus === 'infected') return this.contain(upload);
    if (!SCANNABLE.includes(upload.scanStatus)) return;
    let verdict: ScanVerdict | 'missing';
    try {
      verdict = await this.scan(upload);
    } catch (err) {
      if (err instanceof ScannerUnavailableError) return this.notRun(job, upload, err);
      throw err;
    }
    if (verdict === 'missing') return this.settle(upload, 'failed', REASONS.missing);
    switch (verdict.type) {
      case 'clean':
        return this.settle(upload, 'clean', null);
      case 'too_large':
        // The same bytes can never pass: settle now instead of retrying.
        this.deps.logger.warn({ attachmentId: upload.id, size: upload.size, reason: verdict.reason }, 'upload too large for the virus scanner');
        return this.settle(upload, this.deps.settings.scanMode === 'required' ? 'failed' : 'unscanned', REASONS.tooLarge);
      case 'infected':
        return this.infected(upload, verdict.signature);
    }
  };

  private async scan(upload: StoredAttachment): Promise<ScanVerdict | 'missing'> {
    const blob = await this.deps.blobs.get(upload.storageKey);
    if (!blob) return 'missing';
    try {
      return await this.deps.scanner.scan(blob.stream);
    } finally {
      blob.stream.destroy();
    }
  }

  private async settle(upload: StoredAttachment, to: ScanStatus, detail: string | null): Promise<void> {
    await this.deps.store.attachments.settleScan(upload.id, SCANNABLE, to, detail);
  }

  private async infected(upload: StoredAttachment, signature: string): Promise<void> {
    const settled = await this.deps.store.attachments.settleScan(upload.id, SCANNABLE, 'infected', signature);
    // Settled by another run, or deleted: that run owns the rest.
    if (!settled) return;
    this.deps.logger.warn(
      { audit: 'attachment.infected', attachmentId: settled.id, uploaderId: settled.uploaderId, conversationId: settled.conversationId, messageId: settled.messageId, name: settled.name, size: settled.size, signature },
      `virus found in an upload: ${signature}; quarantined, never served`,
    );
    await this.contain(settled);
  }

  /** Moves the bytes out of the served area, then tells admins. */
  private async contain(upload: StoredAttachment): Promise<void> {
    await this.deps.quarantine.isolate(upload);
    await this.deps.publisher.publish(topics.admin, {
      type: 'attachment.infected',
      attachment: {
        id: upload.id,
        name: upload.name,
        contentType: upload.contentType,
        size: upload.size,
        uploaderId: upload.uploaderId,
        conversationId: upload.conversationId,
        messageId: upload.messageId,
        signature: upload.scanDetail ?? 'unknown',
        detectedAt: this.now().toISOString(),
      },
    });
  }

  /** The scanner gave no verdict: retry (by throwing), or settle when this was the last attempt. */
  private async notRun(job: Job, upload: StoredAttachment, err: ScannerUnavailableError): Promise<void> {
    const { scanMode, jobMaxAttempts } = this.deps.settings;
    const context = { attachmentId: upload.id, attempts: job.attempts, reason: err.message };
    if (scanMode === 'best_effort' && upload.scanStatus === 'pending') {
      await this.deps.store.attachments.settleScan(upload.id, ['pending'], 'unscanned', REASONS.notRun);
      this.deps.logger.warn(context, 'virus scan could not run; the upload is served unscanned (SCAN_MODE=best_effort) while the scan is retried');
    }
    if (job.attempts < jobMaxAttempts) throw err;
    if (scanMode === 'required') {
      await this.deps.store.attachments.settleScan(upload.id, ['pending'], 'failed', REASONS.notRun);
      this.deps.logger.error(context, 'virus scan never ran; the upload is failed and will not be served');
    } else {
      this.deps.logger.error(context, 'virus scan never ran; the upload stays unscanned');
    }
  }
}
