import { SingleBar } from 'cli-progress';

/** Progress of long work, drawn on a terminal, or as plain lines where no one watches one. */
export interface Progress {
  /** Counts `n` more items done. */
  increment(n?: number): void;
  /** Draws the final state and releases the terminal line. */
  stop(): void;
}

export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** Plain lines: one per tenth of the total (or per `step` items without a total), and the last. */
const PLAIN_STEPS = 10;
const PLAIN_STEP_WITHOUT_TOTAL = 1000;

/**
 * A progress bar (cli-progress) when `stream` is a terminal; otherwise lines like
 * `rooms import: 2000/10000 (20%)`, so logs and CI output show headway without control codes.
 */
export function createProgress(stream: ProgressStream, label: string, total: number | undefined): Progress {
  if (stream.isTTY && total !== undefined) return terminalBar(stream, label, total);
  return plainLines(stream, label, total);
}

function terminalBar(stream: ProgressStream, label: string, total: number): Progress {
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted} elapsed, ETA {eta_formatted}`,
    stream: stream as NodeJS.WriteStream,
    hideCursor: true,
    clearOnComplete: false,
  });
  bar.start(total, 0);
  return { increment: (n = 1) => bar.increment(n), stop: () => bar.stop() };
}

function plainLines(stream: ProgressStream, label: string, total: number | undefined): Progress {
  const step = total === undefined ? PLAIN_STEP_WITHOUT_TOTAL : Math.max(1, Math.ceil(total / PLAIN_STEPS));
  let done = 0;
  let printed = 0;
  const print = () => {
    printed = done;
    const share = total ? ` (${Math.floor((done / total) * 100)}%)` : '';
    stream.write(`${label}: ${done}${total === undefined ? '' : `/${total}`}${share}\n`);
  };
  return {
    increment(n = 1) {
      done += n;
      if (Math.floor(done / step) > Math.floor(printed / step)) print();
    },
    stop() {
      if (printed !== done) print();
    },
  };
}
