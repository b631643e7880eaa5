import { splitTimestamps } from '@tube/shared';
import { formatStartParam } from '../lib/share.ts';
import { useSeekTarget } from '../lib/seek-context.ts';

const URL_PATTERN = /(https?:\/\/[^\s<]+[^\s<.,;:!?)\]'"])/g;

/**
 * Plain text with http(s) links made clickable (nofollow: descriptions are user content), and on the watch
 * page timestamps such as 1:23 made into links that seek the player.
 */
export function LinkifiedText({ text }: { text: string }) {
  const seekTarget = useSeekTarget();
  const parts = text.split(URL_PATTERN);
  return (
    <>
      {parts.map((part, index) =>
        index % 2 === 1 ? (
          <a key={index} href={part} target="_blank" rel="noopener noreferrer nofollow ugc">
            {part}
          </a>
        ) : seekTarget ? (
          splitTimestamps(part, seekTarget.durationSeconds).map((piece, pieceIndex) =>
            piece.kind === 'timestamp' ? (
              <a
                key={`${index}-${pieceIndex}`}
                className="timestamp-link"
                href={`/watch/${encodeURIComponent(seekTarget.videoId)}?t=${formatStartParam(piece.seconds)}`}
                data-seconds={piece.seconds}
                onClick={(event) => {
                  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
                  event.preventDefault();
                  seekTarget.seek(piece.seconds);
                }}
              >
                {piece.text}
              </a>
            ) : (
              piece.text
            ),
          )
        ) : (
          part
        ),
      )}
    </>
  );
}
