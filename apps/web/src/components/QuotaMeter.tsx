import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { queryKeys } from '../api/query-keys.ts';
import { formatBytes } from '../lib/format.ts';
import { ProgressBar } from './ui.tsx';

/** Upload storage used, and of how much when the server sets a limit. Nothing while unknown. */
export function QuotaMeter() {
  const quota = useQuery({ queryKey: queryKeys.quota, queryFn: api.quota, retry: false });
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
