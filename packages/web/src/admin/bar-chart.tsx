import { useId } from 'react';

export interface Bar {
  readonly label: string;
  readonly value: number;
  /** How the value reads out (a count, "3 min"). */
  readonly text: string;
}

const ROW = 22;
const LABEL_WIDTH = 140;
const WIDTH = 520;

/**
 * Horizontal bars in plain SVG. The figure carries a text table of the same values for screen
 * readers and for anyone who wants the numbers, not the shapes.
 */
export function BarChart({ title, bars, empty }: { title: string; bars: readonly Bar[]; empty: string }) {
  const titleId = useId();
  if (bars.length === 0) {
    return (
      <figure className="chart">
        <figcaption id={titleId}>{title}</figcaption>
        <p>{empty}</p>
      </figure>
    );
  }
  const max = Math.max(...bars.map((b) => b.value), 1);
  const height = bars.length * ROW + 4;
  const room = WIDTH - LABEL_WIDTH - 70;
  return (
    <figure className="chart" aria-labelledby={titleId}>
      <figcaption id={titleId}>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${height}`} width="100%" role="img" aria-labelledby={titleId} preserveAspectRatio="xMinYMin meet">
        {bars.map((b, i) => (
          <g key={b.label} transform={`translate(0 ${i * ROW + 2})`}>
            <text x={LABEL_WIDTH - 6} y={ROW / 2 + 4} textAnchor="end" className="chart-label">{b.label}</text>
            <rect x={LABEL_WIDTH} y={3} height={ROW - 6} width={Math.max(1, (b.value / max) * room)} className="chart-bar" rx={2} />
            <text x={LABEL_WIDTH + Math.max(1, (b.value / max) * room) + 6} y={ROW / 2 + 4} className="chart-value">{b.text}</text>
          </g>
        ))}
      </svg>
      <table className="visually-hidden">
        <tbody>
          {bars.map((b) => (
            <tr key={b.label}><th scope="row">{b.label}</th><td>{b.text}</td></tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
