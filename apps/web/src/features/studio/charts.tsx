import type { SharePoint } from '@tube/shared';
import { formatPercent } from '../../lib/format.ts';

const WIDTH = 600;
const HEIGHT = 180;
const PAD = { top: 10, right: 10, bottom: 22, left: 44 };

export interface ChartPoint {
  label: string;
  value: number;
}

/**
 * A line chart drawn as SVG: no library, scales to its container, and described for screen readers by its label
 * (the numbers are also in the totals and in each point's tooltip).
 */
export function LineChart({
  points,
  label,
  format,
  maxValue,
  testId,
}: {
  points: ChartPoint[];
  label: string;
  format(value: number): string;
  maxValue?: number;
  testId?: string;
}) {
  const top = maxValue ?? Math.max(1, ...points.map((point) => point.value));
  const innerWidth = WIDTH - PAD.left - PAD.right;
  const innerHeight = HEIGHT - PAD.top - PAD.bottom;
  const x = (index: number) => PAD.left + (points.length > 1 ? (index / (points.length - 1)) * innerWidth : innerWidth / 2);
  const y = (value: number) => PAD.top + innerHeight - (Math.min(value, top) / top) * innerHeight;
  const line = points.map((point, index) => `${index === 0 ? 'M' : 'L'}${x(index).toFixed(1)},${y(point.value).toFixed(1)}`).join(' ');
  const area = points.length ? `${line} L${x(points.length - 1).toFixed(1)},${y(0)} L${x(0).toFixed(1)},${y(0)} Z` : '';
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={label}
      data-testid={testId}
      data-points={points.map((point) => point.value).join(',')}
    >
      <line className="chart-axis" x1={PAD.left} y1={y(0)} x2={WIDTH - PAD.right} y2={y(0)} />
      <line className="chart-axis" x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={y(0)} />
      <text x={PAD.left - 6} y={PAD.top + 8} textAnchor="end">
        {format(top)}
      </text>
      <text x={PAD.left - 6} y={y(0)} textAnchor="end">
        {format(0)}
      </text>
      {points.length ? (
        <>
          <text x={x(0)} y={HEIGHT - 6} textAnchor="start">
            {points[0]!.label}
          </text>
          <text x={x(points.length - 1)} y={HEIGHT - 6} textAnchor="end">
            {points.at(-1)!.label}
          </text>
          <path className="chart-area" d={area} />
          <path className="chart-line" d={line} />
          {points.map((point, index) => (
            <circle key={index} cx={x(index)} cy={y(point.value)} r={points.length > 60 ? 0 : 2.5} className="chart-bar">
              <title>{`${point.label}: ${format(point.value)}`}</title>
            </circle>
          ))}
        </>
      ) : null}
    </svg>
  );
}

/** Horizontal share bars (traffic sources, devices, renditions). */
export function ShareBars({ items, label, names = {}, testId }: { items: SharePoint[]; label: string; names?: Record<string, string>; testId?: string }) {
  if (items.length === 0) return <p className="muted">No data yet.</p>;
  return (
    <ul className="share-bars" aria-label={label} data-testid={testId}>
      {items.map((item) => (
        <li key={item.name} className="share-bar" data-name={item.name} data-share={item.share}>
          <span>{names[item.name] ?? item.name}</span>
          <span className="share-bar-track" aria-hidden="true">
            <span className="share-bar-fill" style={{ width: `${Math.round(item.share * 100)}%`, display: 'block' }} />
          </span>
          <span>{formatPercent(item.share)}</span>
        </li>
      ))}
    </ul>
  );
}
