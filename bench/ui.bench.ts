import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import {
  ensureFreshRenderer,
  openBrowser,
  startServed,
  type BrowserSession,
  type Served,
} from '../test/e2e/harness.ts';
import { renderPicture } from '../test/fakes/images.ts';
import { median, percentile, type Bench } from './harness.ts';

const ITEMS = 10_000;
const POSTER_POOL = 40;
const CANDIDATES = 60;
const RUNS = 3;
const SCROLL_SCREENS_PER_FRAME = 0.35;

/**
 * The browser UI against `serve` with 10,000 movies seeded straight into the database (posters
 * from a pool of 40 cached images, so thumbnails are real): first grid paint, frame times while
 * scrolling the grid from top to bottom, and opening a movie with 60 candidates. Baselines from
 * the same run: the first paint of an empty page from the same server, frame times of the idle
 * page, and the bare `item-artwork` request the picker waits for.
 */
const bench: Bench = {
  name: 'ui',
  description: `headless Chromium, ${ITEMS.toLocaleString()} items: first grid paint, scroll frame times, opening a ${CANDIDATES}-candidate picker`,
  async run() {
    await ensureFreshRenderer();
    const served = await startServed({ startJobs: false });
    try {
      const { pickerItemId } = await seed(served);
      const base = served.app.server.url;
      const token = served.app.token;

      const paint: number[] = [];
      const blank: number[] = [];
      let frames: number[] = [];
      let idleFrames: number[] = [];
      const picker: number[] = [];
      const request: number[] = [];
      let mainThread = NaN;
      let load = NaN;
      for (let run = 0; run < RUNS; run++) {
        const ui = await openBrowser('about:blank', { width: 1440, height: 900 });
        try {
          await ui.page.addInitScript(FIRST_CELL_PROBE);
          blank.push(await firstPaintOfBlank(ui.page, `${base}/bench-blank-${run}.txt`));
          await ui.page.goto(`${base}/#token=${token}`);
          paint.push((await ui.page.evaluate('window.__firstCell')) as number);
          if (run === 0) {
            idleFrames = await idle(ui.page, 120);
            load = os.loadavg()[0]!;
            frames = await scrollEndToEnd(ui.page);
            mainThread = await mainThreadPerFrame(ui, 240);
            if (process.env.UI_BENCH_DEBUG) console.log(frames.map((f) => Math.round(f)).join(' '));
          }
          const opened = await openPicker(ui.page, pickerItemId);
          picker.push(opened);
          request.push(await artworkRequest(ui.page, pickerItemId, token));
        } finally {
          await ui.close();
        }
      }
      return [
        { metric: 'first grid paint (median)', value: median(paint), unit: 'ms', target: { op: '<', value: 1500 } },
        { metric: 'baseline: first paint of an empty page', value: median(blank), unit: 'ms' },
        { metric: 'scroll end to end: frames', value: frames.length, unit: 'frames' },
        { metric: 'scroll frame time p95', value: percentile(frames, 95), unit: 'ms', target: { op: '<', value: 20 } },
        { metric: 'scroll frame time median', value: median(frames), unit: 'ms' },
        { metric: 'scroll frames over 20 ms', value: frames.filter((f) => f > 20).length, unit: 'frames' },
        { metric: 'baseline: idle frame time p95', value: percentile(idleFrames, 95), unit: 'ms' },
        // Frame times are wall-clock: on a shared machine they measure the neighbours too. The
        // renderer's own main-thread work per frame and the load average put them in context.
        { metric: 'renderer main thread per scrolled frame', value: mainThread, unit: 'ms' },
        { metric: 'machine load average (1 min) at scroll start', value: load, unit: `on ${os.cpus().length} cores` },
        {
          metric: `open a ${CANDIDATES}-candidate picker (median)`,
          value: median(picker),
          unit: 'ms',
          target: { op: '<', value: 300 },
        },
        { metric: 'baseline: item-artwork request alone', value: median(request), unit: 'ms' },
      ];
    } finally {
      await served.close();
    }
  },
};

export default bench;

/** Records when the first poster cell is in the DOM and painted (the next animation frame). */
const FIRST_CELL_PROBE = `
  window.__firstCell = new Promise((resolve) => {
    const check = () => {
      if (document.querySelector('.poster-cell:not(.skeleton)')) {
        observer.disconnect();
        requestAnimationFrame(() => resolve(performance.now()));
      }
    };
    const observer = new MutationObserver(check);
    document.addEventListener('DOMContentLoaded', () => { observer.observe(document.body, { childList: true, subtree: true }); check(); });
  });
`;

// In-page code is passed as source text: functions would be compiled by tsx with helpers that
// do not exist in the page (and with Node's types, not the DOM's).

/** Loads a tiny page from the same server (a 404 JSON body) and reads its first paint. */
async function firstPaintOfBlank(page: Page, url: string): Promise<number> {
  await page.goto(url);
  return page.evaluate(`new Promise((resolve) => {
    const entry = performance.getEntriesByName('first-paint')[0] || performance.getEntriesByName('first-contentful-paint')[0];
    if (entry) resolve(entry.startTime);
    else requestAnimationFrame(() => resolve(performance.now()));
  })`) as Promise<number>;
}

/** Frame-to-frame times of the page doing nothing: the floor of what scrolling can reach. */
async function idle(page: Page, count: number): Promise<number[]> {
  return page.evaluate(`new Promise((resolve) => {
    const deltas = [];
    let last = performance.now();
    const tick = (t) => {
      deltas.push(t - last);
      last = t;
      if (deltas.length < ${count}) requestAnimationFrame(tick);
      else resolve(deltas.slice(1));
    };
    requestAnimationFrame(tick);
  })`) as Promise<number[]>;
}

/**
 * Scrolls the poster grid from top to bottom at a steady pace, as a hard fling does: a third of
 * a screen per frame (about 18,000 px/s at 60 Hz), 10,000 items in roughly 25 s.
 */
async function scrollEndToEnd(page: Page): Promise<number[]> {
  await page.waitForSelector('.poster-grid');
  return page.evaluate(`new Promise((resolve) => {
    const el = document.querySelector('.poster-grid');
    const deltas = [];
    const step = Math.round(el.clientHeight * ${SCROLL_SCREENS_PER_FRAME});
    let last = performance.now();
    const tick = (t) => {
      deltas.push(t - last);
      last = t;
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 2) {
        resolve(deltas.slice(1));
        return;
      }
      el.scrollTop += step;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })`) as Promise<number[]>;
}

/**
 * Main-thread time of the renderer per frame while scrolling back up the grid, from a Chrome
 * trace (every task on CrRendererMain, summed, divided by the frames).
 */
async function mainThreadPerFrame(ui: BrowserSession, count: number): Promise<number> {
  await ui.browser.startTracing(ui.page, {
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'],
  });
  await ui.page.evaluate(`new Promise((resolve) => {
    const el = document.querySelector('.poster-grid');
    const step = Math.round(el.clientHeight * ${SCROLL_SCREENS_PER_FRAME});
    let n = 0;
    const tick = () => {
      if (n++ >= ${count} || el.scrollTop <= 0) { resolve(n); return; }
      el.scrollTop -= step;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })`);
  const trace = JSON.parse((await ui.browser.stopTracing()).toString()) as {
    traceEvents: Array<{ name: string; ph: string; dur?: number; pid: number; tid: number; args?: { name?: string } }>;
  };
  // Several renderer processes may exist (a spare one, about:blank); the page's is the busiest.
  const mains = new Set(
    trace.traceEvents
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const busy = new Map<string, number>();
  for (const e of trace.traceEvents) {
    const key = `${e.pid}:${e.tid}`;
    if (e.ph === 'X' && e.name === 'RunTask' && mains.has(key))
      busy.set(key, (busy.get(key) ?? 0) + (e.dur ?? 0) / 1000);
  }
  return busy.size ? Math.max(...busy.values()) / count : NaN;
}

/** From the click on a movie to all its candidate tiles on screen (the frame after they render). */
async function openPicker(page: Page, itemId: number): Promise<number> {
  await page.evaluate(`window.location.hash = '#/library'`);
  await page.waitForSelector('.poster-cell:not(.skeleton)');
  return page.evaluate(`new Promise((resolve, reject) => {
    const t0 = performance.now();
    const timer = setTimeout(() => reject(new Error('picker did not open')), 10000);
    const observer = new MutationObserver(() => {
      if (document.querySelectorAll('.tile').length >= ${CANDIDATES}) {
        observer.disconnect();
        clearTimeout(timer);
        requestAnimationFrame(() => resolve(performance.now() - t0));
      }
    });
    observer.observe(document.body, { childList: true, subtree: true });
    window.location.hash = '#/item/${itemId}';
  })`) as Promise<number>;
}

/** The bare request the picker waits for, timed in the page. */
async function artworkRequest(page: Page, itemId: number, token: string): Promise<number> {
  return page.evaluate(`(async () => {
    const t0 = performance.now();
    await fetch('/api/item-artwork', { method: 'POST', headers: { authorization: 'Bearer ${token}', 'content-type': 'application/json' }, body: JSON.stringify({ itemId: ${itemId} }) }).then((r) => r.json());
    return performance.now() - t0;
  })()`) as Promise<number>;
}

/** 10,000 movies, posters from a pool of real cached images, and one movie with 60 candidates. */
export async function seed(served: Served): Promise<{ pickerItemId: number }> {
  const s = served.engine.services;
  const now = Date.now();
  const poolDir = served.dir('pool');
  const shas: string[] = [];
  for (let i = 0; i < POSTER_POOL; i++) {
    const file = path.join(poolDir, `p${i}.jpg`);
    writeFileSync(
      file,
      await renderPicture(`poster.t.${(1000 + i).toString(16).padStart(12, '0')}`, 400, 600, 'jpeg', 80),
    );
    const blob = await s.cache.ingestFile(file, { provider: 'upload' });
    shas.push(blob.sha256);
    await s.cache.thumbnailPath(blob.sha256, 'thumb');
  }
  const libraryPath = served.dir('Movies');
  const library = await s.db
    .insertInto('libraries')
    .values({ path: libraryPath, kind: 'movies', name: 'Bench', created_at: now, state: 'ok' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const ids: number[] = [];
  await s.db.transaction().execute(async (trx) => {
    for (let i = 0; i < ITEMS; i++) {
      const title = `Movie ${String(i).padStart(5, '0')} ${WORDS[i % WORDS.length]}`;
      const folder = path.join(libraryPath, title);
      const row = await trx
        .insertInto('items')
        .values({
          library_id: library.id,
          kind: 'movie',
          folder,
          video_path: path.join(folder, `${title}.mkv`),
          basename: title,
          layout: 'own-folder',
          title,
          year: 1950 + (i % 75),
          state: 'enriched',
          monitored: 1,
          created_at: now - i,
          updated_at: now - i,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.push(row.id);
      if (i % 10 !== 9) {
        await trx
          .insertInto('slots')
          .values({
            item_id: row.id,
            asset_type: 'poster',
            rank: 0,
            blob_sha: shas[i % shas.length]!,
            chosen_by: 'auto',
            locked: 0,
            updated_at: now,
          })
          .execute();
      }
    }
  });
  const pickerItemId = ids[0]!;
  await s.db.transaction().execute(async (trx) => {
    for (let c = 0; c < CANDIDATES; c++) {
      await trx
        .insertInto('candidates')
        .values({
          item_id: pickerItemId,
          asset_type: 'poster',
          provider: c % 3 === 0 ? 'fanart' : 'tmdb',
          provider_image_id: `bench-${c}`,
          url: `http://127.0.0.1:9/bench/${c}.jpg`,
          preview_url: `http://127.0.0.1:9/bench/${c}-preview.jpg`,
          width: 1000 + (c % 5) * 250,
          height: 1500 + (c % 5) * 375,
          language: c % 4 === 0 ? null : 'en',
          vote_average: 5 + (c % 5),
          vote_count: 10 + c,
          preview_sha: shas[c % shas.length]!,
          seen_at: now,
          created_at: now,
        })
        .execute();
    }
  });
  return { pickerItemId };
}

const WORDS = ['Harbor', 'Frontier', 'Garden', 'Empire', 'Keeper', 'Echo', 'Winter', 'Signal', 'Atlas', 'River'];
