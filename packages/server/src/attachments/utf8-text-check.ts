/**
 * Checks a stream of chunks for plain text: valid UTF-8 to the last byte and no NUL. Fed chunk
 * by chunk, so a text upload is checked as it streams instead of being held in memory.
 * @example const check = new Utf8TextCheck(); for (const c of chunks) check.push(c); check.end();
 */
export class Utf8TextCheck {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private valid = true;

  /** Feeds the next chunk; false once the text is known to be invalid. */
  push(chunk: Uint8Array): boolean {
    if (!this.valid) return false;
    try {
      this.decoder.decode(chunk, { stream: true });
      this.valid = !chunk.includes(0);
    } catch {
      this.valid = false;
    }
    return this.valid;
  }

  /** Ends the input; false when it was invalid or stopped inside a multi-byte character. */
  end(): boolean {
    if (!this.valid) return false;
    try {
      this.decoder.decode();
    } catch {
      this.valid = false;
    }
    return this.valid;
  }
}
