import type { BeaconBatch } from '@tube/shared';

export const beaconsApi = {
  /** text/plain keeps it a simple request (no preflight); keepalive lets the last batch outlive the page. */
  sendBeacons: (batch: BeaconBatch) =>
    window
      .fetch('/api/v1/analytics/beacons', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(batch), keepalive: true })
      .then(() => undefined),
};
