import { useState } from 'react';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { HistoryPage as HistoryPageData } from '@tube/shared';
import { describeError } from '../api/errors.ts';
import { SignInRequired } from '../features/auth/SignInRequired.tsx';
import { Icon } from '../components/Icon.tsx';
import { LoadMore } from '../components/LoadMore.tsx';
import { useToast } from '../components/toasts.tsx';
import { VideoRow } from '../components/VideoCard.tsx';
import { Dialog, EmptyState, ErrorMessage, PageLoading } from '../components/ui.tsx';
import { formatDate } from '../lib/format.ts';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { historyApi, historyKeys, historyQueries } from '../features/history/api.ts';
import '../components/lists.css';

interface HistoryPages {
  pages: HistoryPageData[];
  pageParams: unknown[];
}

export function HistoryPage() {
  useDocumentTitle('Watch history');
  return (
    <SignInRequired icon="history" title="Keep track of what you watch" message="Watch history isn't viewable when signed out.">
      <History />
    </SignInRequired>
  );
}

function History() {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [confirmingClear, setConfirmingClear] = useState(false);
  const history = useInfiniteQuery({
    ...historyQueries.history(),
  });
  const settings = useQuery(historyQueries.settings());
  const remove = useMutation({
    mutationFn: (videoId: string) => historyApi.removeFromHistory(videoId),
    onSuccess: (_result, videoId) => {
      queryClient.setQueryData<HistoryPages>(historyKeys.history, (data) =>
        data ? { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.filter((entry) => entry.video.id !== videoId) })) } : data,
      );
      toast.show('Removed from watch history');
    },
    onError: (error) => toast.show(describeError(error)),
  });
  const clear = useMutation({
    mutationFn: historyApi.clearHistory,
    onSuccess: () => {
      setConfirmingClear(false);
      queryClient.setQueryData<HistoryPages>(historyKeys.history, (data) => (data ? { pages: [{ items: [], nextCursor: null }], pageParams: [null] } : data));
      toast.show('Watch history cleared');
    },
  });
  const pause = useMutation({
    mutationFn: (paused: boolean) => historyApi.setHistoryPaused(paused),
    onSuccess: (saved) => {
      queryClient.setQueryData(historyKeys.historySettings, saved);
      toast.show(saved.paused ? 'Watch history paused' : 'Watch history is on');
    },
    onError: (error) => toast.show(describeError(error)),
  });

  const entries = history.data?.pages.flatMap((page) => page.items) ?? [];
  const paused = settings.data?.paused === true;
  return (
    <div className="page page-list">
      <div className="page-header">
        <h1 className="page-title">Watch history</h1>
        <div className="page-header-actions">
          <button type="button" className="button button-text" disabled={entries.length === 0} onClick={() => setConfirmingClear(true)}>
            <Icon name="delete" /> Clear all watch history
          </button>
          <button type="button" className="button button-text" disabled={!settings.isSuccess || pause.isPending} onClick={() => pause.mutate(!paused)}>
            <Icon name={paused ? 'play' : 'pause'} /> {paused ? 'Turn on watch history' : 'Pause watch history'}
          </button>
        </div>
      </div>
      {paused ? (
        <p className="notice" data-testid="history-paused">
          Watch history is paused: videos you watch are not added here and won't remember where you stopped.
        </p>
      ) : null}
      {history.isPending ? <PageLoading /> : null}
      {history.isError ? <ErrorMessage message={describeError(history.error)} onRetry={() => void history.refetch()} /> : null}
      {history.isSuccess && entries.length === 0 ? (
        <EmptyState icon="history" title="This list has no videos">
          <p className="muted">Videos you watch will show up here.</p>
        </EmptyState>
      ) : null}
      <div className="video-list" data-testid="history-list">
        {entries.map((entry) => (
          <VideoRow
            key={entry.video.id}
            video={entry.video}
            watchedSeconds={entry.positionSeconds}
            actions={
              <>
                <span className="muted history-date">{formatDate(entry.watchedAt)}</span>
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Remove “${entry.video.title}” from watch history`}
                  title="Remove from watch history"
                  disabled={remove.isPending && remove.variables === entry.video.id}
                  onClick={() => remove.mutate(entry.video.id)}
                >
                  <Icon name="close" />
                </button>
              </>
            }
          />
        ))}
      </div>
      <LoadMore hasMore={history.hasNextPage} loading={history.isFetchingNextPage} onLoadMore={() => void history.fetchNextPage()} />
      <Dialog open={confirmingClear} title="Clear watch history?" onClose={() => setConfirmingClear(false)}>
        <p>Your whole watch history will be cleared, along with the spots where you stopped watching.</p>
        {clear.isError ? <p className="form-error">{describeError(clear.error)}</p> : null}
        <div className="form-actions">
          <button type="button" className="button button-text" onClick={() => setConfirmingClear(false)}>
            Cancel
          </button>
          <button type="button" className="button button-danger" disabled={clear.isPending} onClick={() => clear.mutate()}>
            {clear.isPending ? 'Clearing…' : 'Clear watch history'}
          </button>
        </div>
      </Dialog>
    </div>
  );
}
