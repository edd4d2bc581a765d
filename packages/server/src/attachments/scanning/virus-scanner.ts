/** What a scanner concluded about a file. */
export type ScanVerdict =
  | { readonly type: 'clean' }
  /** `signature` names what was found, as the scanner reports it (`Win.Test.EICAR_HDB-1`). */
  | { readonly type: 'infected'; readonly signature: string }
  /** Refused for its size (clamd's `StreamMaxLength`): scanning the same bytes again cannot succeed. */
  | { readonly type: 'too_large'; readonly reason: string };

/**
 * The port uploads are scanned through: clamd's INSTREAM today ({@link ClamdClient}), any other
 * engine later. Features see only this, never a socket or a reply line.
 */
export interface VirusScanner {
  /**
   * Streams the bytes to the scanner and resolves its verdict. Rejects with
   * {@link ScannerUnavailableError} when no verdict could be had (unreachable, silent past the
   * timeout, an error reply other than the size limit): the same bytes may be scanned again
   * later. Reads `source` at most once; when the scan ends early the source is closed, not drained.
   * @example const verdict = await scanner.scan(blob.stream);
   */
  scan(source: AsyncIterable<Uint8Array>): Promise<ScanVerdict>;
}
