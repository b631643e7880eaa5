import { useEffect, useRef } from 'react';
import { Spinner } from './ui.tsx';

/**
 * Infinite scroll: loads the next page when the sentinel comes near the viewport, with a
 * visible button as the fallback for keyboards and for browsers without IntersectionObserver.
 */
export function LoadMore({ hasMore, loading, onLoadMore }: { hasMore: boolean; loading: boolean; onLoadMore: () => void }) {
  const sentinelRef = useRef<HTMLDivElement>(null);
  const onLoadMoreRef = useRef(onLoadMore);
  onLoadMoreRef.current = onLoadMore;

  useEffect(() => {
    const sentinel = sentinelRef.current;
    if (!sentinel || !hasMore || loading || !('IntersectionObserver' in window)) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) onLoadMoreRef.current();
      },
      { rootMargin: '600px 0px' },
    );
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [hasMore, loading]);

  if (!hasMore) return null;
  return (
    <div className="load-more" ref={sentinelRef}>
      {loading ? (
        <Spinner label="Loading more videos" />
      ) : (
        <button type="button" className="button button-secondary" onClick={onLoadMore}>
          Load more
        </button>
      )}
    </div>
  );
}
