import { type ReactNode, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import type { AnalyticsTotals, VideoAnalytics } from '@tube/shared';
import { describeError } from '../../api/errors.ts';
import { ErrorMessage, PageLoading } from '../../components/ui.tsx';
import { formatDuration, formatPercent } from '../../lib/format.ts';
import { formatWatchTime } from '../../lib/creator-format.ts';
import { useDocumentTitle } from '../../lib/use-document-title.ts';
import { LineChart, ShareBars } from './charts.tsx';
import './creators.css';
import { studioQueries } from './api.ts';
import './studio.css';

const SOURCE_NAMES: Record<string, string> = {
  direct: 'Direct or unknown',
  search: 'Tube search',
  browse: 'Tube pages',
  embed: 'Embeds',
  external: 'Other websites',
};
const DEVICE_NAMES: Record<string, string> = { desktop: 'Computer', mobile: 'Phone', tablet: 'Tablet', tv: 'TV', other: 'Other' };
const PERIODS = [7, 28, 90, 365] as const;

const shortDay = (day: string) => new Date(`${day}T00:00:00Z`).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
const shortHour = (iso: string) => new Date(iso).toLocaleTimeString('en-US', { hour: 'numeric' });
const count = (value: number) => Math.round(value).toLocaleString('en-US');

function PeriodPicker({ days, onChange }: { days: number; onChange(days: number): void }) {
  return (
    <select aria-label="Period" value={days} onChange={(event) => onChange(Number(event.target.value))}>
      {PERIODS.map((period) => (
        <option key={period} value={period}>
          Last {period} days
        </option>
      ))}
    </select>
  );
}

function Totals({ totals }: { totals: AnalyticsTotals }) {
  const items: [string, string, string][] = [
    ['Views', count(totals.views), 'total-views'],
    ['Watch time', formatWatchTime(totals.watchSeconds), 'total-watch-time'],
    ['Average view', formatWatchTime(totals.averageViewSeconds), 'total-average-view'],
    ['Median time to first frame', totals.medianTtffMs === null ? '—' : `${Math.round(totals.medianTtffMs)} ms`, 'total-ttff'],
    ['Rebuffering', formatPercent(totals.rebufferRatio), 'total-rebuffer'],
    ['Playback errors per view', formatPercent(totals.errorRate), 'total-errors'],
  ];
  return (
    <div className="analytics-totals">
      {items.map(([label, value, testId]) => (
        <div key={label} className="analytics-total">
          <span className="muted">{label}</span>
          <strong data-testid={testId}>{value}</strong>
        </div>
      ))}
    </div>
  );
}

/** The frame both analytics pages share: the way back, the heading with the period, the totals, then the cards. */
function AnalyticsLayout({
  testId,
  heading,
  days,
  onDaysChange,
  totals,
  children,
}: {
  testId: string;
  heading: string;
  days: number;
  onDaysChange(days: number): void;
  totals: AnalyticsTotals;
  children: ReactNode;
}) {
  return (
    <div className="page analytics-page" data-testid={testId}>
      <p>
        <Link to="/studio">← Studio</Link>
      </p>
      <div className="studio-header">
        <h1>{heading}</h1>
        <PeriodPicker days={days} onChange={onDaysChange} />
      </div>
      <Totals totals={totals} />
      <div className="analytics-grid">{children}</div>
    </div>
  );
}

function AnalyticsCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="analytics-card">
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** Views and watch time per day, for a video or (`subject` "Channel") a whole channel. */
function DailyCards({
  daily,
  days,
  subject,
  testIds,
}: {
  daily: VideoAnalytics['daily'];
  days: number;
  subject?: string;
  testIds?: { views: string; watch: string };
}) {
  const views = subject ? `${subject} views` : 'Views';
  const watchTime = subject ? `${subject} watch time` : 'Watch time';
  return (
    <>
      <AnalyticsCard title="Views per day">
        <LineChart
          testId={testIds?.views}
          label={`${views} per day over the last ${days} days`}
          points={daily.map((point) => ({ label: shortDay(point.day), value: point.views }))}
          format={count}
        />
      </AnalyticsCard>
      <AnalyticsCard title="Watch time per day">
        <LineChart
          testId={testIds?.watch}
          label={`${watchTime} per day over the last ${days} days`}
          points={daily.map((point) => ({ label: shortDay(point.day), value: point.watchSeconds }))}
          format={formatWatchTime}
        />
      </AnalyticsCard>
    </>
  );
}

export function VideoAnalyticsPage() {
  const { id = '' } = useParams();
  const [days, setDays] = useState(28);
  const report = useQuery({ ...studioQueries.videoAnalytics(id, days), refetchInterval: 15_000 });
  useDocumentTitle(report.data ? `Analytics: ${report.data.title}` : 'Analytics');
  if (report.isPending) return <PageLoading />;
  if (report.isError) return <ErrorMessage message={describeError(report.error)} onRetry={() => void report.refetch()} />;
  const data = report.data;
  return (
    <AnalyticsLayout testId="video-analytics" heading={`Analytics: ${data.title}`} days={days} onDaysChange={setDays} totals={data.totals}>
      <DailyCards daily={data.daily} days={days} testIds={{ views: 'chart-daily-views', watch: 'chart-daily-watch' }} />
      <AnalyticsCard title="Last 48 hours">
        <LineChart
          testId="chart-hourly-views"
          label="Views per hour over the last 48 hours"
          points={data.hourly.map((point) => ({ label: shortHour(point.hour), value: point.views }))}
          format={count}
        />
      </AnalyticsCard>
      <AnalyticsCard title="Audience retention">
        {data.retention.length ? (
          <LineChart
            testId="chart-retention"
            label="Share of viewers still watching at each moment of the video"
            points={data.retention.map((point) => ({ label: formatDuration(point.second) || '0:00', value: point.share }))}
            format={formatPercent}
            maxValue={1}
          />
        ) : (
          <p className="muted">No views yet.</p>
        )}
      </AnalyticsCard>
      <AnalyticsCard title="Traffic sources">
        <ShareBars testId="sources" label="Traffic sources" items={data.sources} names={SOURCE_NAMES} />
      </AnalyticsCard>
      <AnalyticsCard title="Devices">
        <ShareBars testId="devices" label="Devices" items={data.devices} names={DEVICE_NAMES} />
      </AnalyticsCard>
      <AnalyticsCard title="Watch time per quality">
        <ShareBars testId="renditions" label="Share of watch time per rendition" items={data.renditions} />
      </AnalyticsCard>
    </AnalyticsLayout>
  );
}

export function ChannelAnalyticsPage() {
  const { handle = '' } = useParams();
  const [days, setDays] = useState(28);
  const report = useQuery(studioQueries.channelAnalytics(handle, days));
  useDocumentTitle('Channel analytics');
  if (report.isPending) return <PageLoading />;
  if (report.isError) return <ErrorMessage message={describeError(report.error)} onRetry={() => void report.refetch()} />;
  const data = report.data;
  return (
    <AnalyticsLayout testId="channel-analytics" heading={`Channel analytics: @${handle}`} days={days} onDaysChange={setDays} totals={data.totals}>
      <DailyCards daily={data.daily} days={days} subject="Channel" />
      <AnalyticsCard title="Top videos">
        {data.topVideos.length ? (
          <ol>
            {data.topVideos.map((video) => (
              <li key={video.id}>
                <Link to={`/studio/analytics/${video.id}`}>{video.title}</Link> — {count(video.views)} views, {formatWatchTime(video.watchSeconds)}
              </li>
            ))}
          </ol>
        ) : (
          <p className="muted">No views in this period.</p>
        )}
      </AnalyticsCard>
      <AnalyticsCard title="Traffic sources">
        <ShareBars label="Traffic sources" items={data.sources} names={SOURCE_NAMES} />
      </AnalyticsCard>
      <AnalyticsCard title="Devices">
        <ShareBars label="Devices" items={data.devices} names={DEVICE_NAMES} />
      </AnalyticsCard>
    </AnalyticsLayout>
  );
}
