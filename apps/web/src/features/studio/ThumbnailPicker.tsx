import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Video } from '@tube/shared';
import { describeError } from '../../api/errors.ts';
import { useStoryboard } from '../../player/use-storyboard.ts';
import { formatDuration } from '../../lib/format.ts';
import { studioApi, studioKeys } from './api.ts';
import { keyRoots } from '../../api/query-keys.ts';

/** At most this many storyboard frames to choose from, spread over the video. */
const FRAME_CHOICES = 12;

/** Upload an image or pick a storyboard frame as the video's thumbnail; shown on every card and as the poster. */
export function ThumbnailPicker({ video, onChanged }: { video: Video; onChanged(video: Video): void }) {
  const tiles = useStoryboard(video.storyboard?.vttUrl ?? null);
  const step = Math.max(1, Math.ceil(tiles.length / FRAME_CHOICES));
  const choices = tiles.filter((_tile, index) => index % step === 0).slice(0, FRAME_CHOICES);
  const queryClient = useQueryClient();
  const change = useMutation({
    mutationFn: (action: { kind: 'upload'; file: File } | { kind: 'frame'; at: number } | { kind: 'reset' }) =>
      action.kind === 'upload'
        ? studioApi.setThumbnail(video.id, action.file)
        : action.kind === 'frame'
          ? studioApi.setThumbnailFromFrame(video.id, action.at)
          : studioApi.resetThumbnail(video.id),
    onSuccess: (updated) => {
      onChanged(updated);
      // Every card and player showing this video picks up the new poster.
      void queryClient.invalidateQueries({ queryKey: studioKeys.all });
      void queryClient.invalidateQueries({ queryKey: keyRoots.video(video.id) });
      void queryClient.invalidateQueries({ queryKey: keyRoots.videoLists });
    },
  });

  if (video.status !== 'ready') return <p className="muted">You can choose a thumbnail once the video has finished processing.</p>;
  const custom = video.thumbnailUrl?.includes('/thumb-') ?? false;
  return (
    <fieldset className="thumbnail-picker" data-testid="thumbnail-picker">
      <legend>Thumbnail</legend>
      <div className="thumbnail-picker-current">
        {video.thumbnailUrl ? <img src={video.thumbnailUrl} alt="Current thumbnail" data-testid="current-thumbnail" /> : null}
        <div className="thumbnail-picker-actions">
          <label className="button button-secondary">
            Upload image
            <input
              type="file"
              accept="image/jpeg,image/png,image/webp"
              className="visually-hidden"
              data-testid="thumbnail-file"
              disabled={change.isPending}
              onChange={(event) => {
                const file = event.target.files?.[0];
                if (file) change.mutate({ kind: 'upload', file });
                event.target.value = '';
              }}
            />
          </label>
          {custom ? (
            <button type="button" className="button button-secondary" onClick={() => change.mutate({ kind: 'reset' })} disabled={change.isPending}>
              Use the generated one
            </button>
          ) : null}
          <span className="muted">JPEG, PNG or WebP up to 8 MB; shown at 1280×720.</span>
        </div>
      </div>
      {change.isError ? (
        <p className="form-error" role="alert">
          {describeError(change.error)}
        </p>
      ) : null}
      {choices.length > 0 ? (
        <div className="thumbnail-frames" role="group" aria-label="Pick a frame">
          {choices.map((tile) => (
            <button
              key={tile.startSeconds}
              type="button"
              className="thumbnail-frame"
              aria-label={`Use the frame at ${formatDuration(tile.startSeconds)}`}
              disabled={change.isPending}
              onClick={() => change.mutate({ kind: 'frame', at: tile.startSeconds })}
              style={{
                width: tile.width,
                height: tile.height,
                backgroundImage: `url(${tile.imageUrl})`,
                backgroundPosition: `-${tile.x}px -${tile.y}px`,
              }}
            />
          ))}
        </div>
      ) : null}
    </fieldset>
  );
}
