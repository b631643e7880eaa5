/** Browser and platform of a session, as people recognise them: "Chrome on Windows", "Safari on iPhone". */
export function describeUserAgent(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = detectBrowser(userAgent);
  const platform = detectPlatform(userAgent);
  if (!browser && !platform) return userAgent.length > 60 ? `${userAgent.slice(0, 57)}…` : userAgent;
  if (!platform) return browser ?? 'Unknown browser';
  return `${browser ?? 'Browser'} on ${platform}`;
}

// Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari", Chromium-based
// headless builds say "HeadlessChrome".
function detectBrowser(userAgent: string): string | null {
  if (/Edg(e|A|iOS)?\//.test(userAgent)) return 'Edge';
  if (/OPR\/|Opera/.test(userAgent)) return 'Opera';
  if (/SamsungBrowser\//.test(userAgent)) return 'Samsung Internet';
  if (/Firefox\/|FxiOS\//.test(userAgent)) return 'Firefox';
  if (/HeadlessChrome\//.test(userAgent)) return 'Headless Chrome';
  if (/Chrome\/|CriOS\//.test(userAgent)) return 'Chrome';
  if (/Safari\//.test(userAgent) && /Version\//.test(userAgent)) return 'Safari';
  if (/^curl\//.test(userAgent)) return 'curl';
  if (/^node|undici/i.test(userAgent)) return 'Node.js';
  return null;
}

function detectPlatform(userAgent: string): string | null {
  if (/iPhone/.test(userAgent)) return 'iPhone';
  if (/iPad/.test(userAgent)) return 'iPad';
  if (/Android/.test(userAgent)) return 'Android';
  if (/Windows/.test(userAgent)) return 'Windows';
  if (/CrOS/.test(userAgent)) return 'ChromeOS';
  if (/Mac OS X|Macintosh/.test(userAgent)) return 'macOS';
  if (/Linux/.test(userAgent)) return 'Linux';
  return null;
}
