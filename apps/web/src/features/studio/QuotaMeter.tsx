import { useQuery } from '@tanstack/react-query';
import { formatBytes } from '../../lib/format.ts';
import { ProgressBar } from '../../components/ui.tsx';
import { studioQueries } from './api.ts';
import './studio.css';

/** Upload storage used, and of how much when the server sets a limit. Nothing while unknown. */
export function QuotaMeter() {
  const quota = useQuery({ ...studioQueries.quota(), retry: false });
  if (!quota.data) return null;
  const { usedBytes, limitBytes } = quota.data;
  return (
    <div className="quota" data-testid="quota">
      <span>
        Storage: {formatBytes(usedBytes)} {limitBytes !== null ? `of ${formatBytes(limitBytes)} used` : 'used'}
      </span>
      {limitBytes !== null && limitBytes > 0 ? <ProgressBar value={usedBytes / limitBytes} label="Storage used" /> : null}
    </div>
  );
}
