import type { Logger } from 'pino';

export interface LoggedLine {
  readonly level: 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly message: string | undefined;
}

/** A logger that keeps what it was told, so tests can assert what an operator would read. */
export function recordingLogger(): Pick<Logger, 'warn' | 'error'> & { readonly lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const at = (level: LoggedLine['level']) => (fields: unknown, message?: string) => {
    lines.push({ level, fields: typeof fields === 'object' && fields !== null ? (fields as Record<string, unknown>) : { value: fields }, message });
  };
  return { lines, warn: at('warn'), error: at('error') };
}
