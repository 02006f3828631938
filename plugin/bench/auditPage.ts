/**
 * Loads of the Audit log page in Chromium, timed in the page's own clock (performance.now(), zero at navigation
 * start): when the first page of rows is in the table, and when a character typed into the Search filter shows in it,
 * which needs the page to be rendered and its main thread free. The second is the "interactive" time. Resource
 * timings split it: the host's own boot (until it asks for the plugin's module.js), then the plugin's part.
 */
import type { BrowserContext, JSHandle } from '@playwright/test';

export interface AuditPageLoad {
  /** Rows of the first page that were waited for. */
  rows: number;
  /** When the host (Grafana or its stand-in) had booted and asked for the plugin's module.js, ms. */
  hostReadyMs: number;
  /** The GET /api/audit/events request of the first page: when it left and when its answer was in, ms. */
  apiStartMs: number;
  apiEndMs: number;
  rowsVisibleMs: number;
  interactiveMs: number;
}

const DETAILS_BUTTON = 'button[aria-label^="Details of entry"]';
const SEARCH_INPUT = '#audit-filter-q';

/** Opens `url` (the Audit log page, filters in its query) in a new page of `context` and times it. */
export async function timeAuditPageLoad(context: BrowserContext, url: string, rows: number): Promise<AuditPageLoad> {
  const page = await context.newPage();
  try {
    await page.goto(url, { waitUntil: 'commit' });
    const rowsVisibleMs = await timeWhen(
      page.waitForFunction(
        ({ selector, rows }) => (document.querySelectorAll(selector).length >= rows ? performance.now() : false),
        { selector: DETAILS_BUTTON, rows },
        POLLING
      )
    );
    // Playwright waits until the input is visible, enabled and stable, focuses it and sends a key press.
    await page.locator(SEARCH_INPUT).pressSequentially('x');
    const interactiveMs = await timeWhen(
      page.waitForFunction(
        (selector) =>
          (document.querySelector(selector) as HTMLInputElement | null)?.value === 'x' ? performance.now() : false,
        SEARCH_INPUT,
        POLLING
      )
    );
    const timings = await page.evaluate(() =>
      (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((e) => ({
        name: new URL(e.name).pathname,
        start: e.startTime,
        end: e.responseEnd,
      }))
    );
    const api = timings.find((e) => e.name.endsWith('/api/audit/events'));
    const module = timings.find((e) => e.name.endsWith('/module.js') && e.name.includes('/public/plugins/'));
    if (!api || !module) {
      throw new Error(`${url}: no request for ${api ? "the plugin's module.js" : 'GET /api/audit/events'}`);
    }
    return { rows, hostReadyMs: module.start, apiStartMs: api.start, apiEndMs: api.end, rowsVisibleMs, interactiveMs };
  } finally {
    await page.close();
  }
}

// Checked at every animation frame: the times are at most one frame late.
const POLLING = { polling: 'raf', timeout: 60_000 } as const;

/** The performance.now() a page function returned once its condition held. */
async function timeWhen(handle: Promise<JSHandle<number | false>>): Promise<number> {
  return (await (await handle).jsonValue()) as number;
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
