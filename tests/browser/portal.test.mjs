// portal.test.mjs -- the e-PUPNS portal in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core; no browser download), at
// 360x740 (a phone) and 1366x768 (an office PC). Prints TAP; exit status 0
// only if all pass. Screenshots of every page at both sizes are kept in
// build/test-results/screenshots/.
//
// Walks: every page opens (no horizontal scrolling, one h1, no console
// error, no serious axe-core violation); a PNS registers from NIP to the
// PDFs at each size (daftar.mjs), and once with the keyboard alone;
// a busy gateway (503/429/504, intercepted with page.route) shows "coba
// lagi" with the time; the recovery pages (pemulihan.mjs) and the verifier
// desks (verifikator.mjs) once their APIs exist.
//
// Environment (tests/run.sh): BASE_URL, PG_PORT (NIPs: rows 3701-3900 by
// NIP; three new ones a run), PUPNS_REDIS_URL (captcha answers), STATE_DIR
// (the SMTP sink's Maildir), BIN_DIR (pupns-ctl user add), TOP,
// RESULTS_DIR, CHROMIUM.
import * as daftar from "./daftar.mjs";
import * as halaman from "./halaman.mjs";
import * as keyboard from "./keyboard.mjs";
import * as pemulihan from "./pemulihan.mjs";
import * as sibuk from "./sibuk.mjs";
import * as verifikator from "./verifikator.mjs";
import { rmSync } from "node:fs";
import { BASE, SHOTS, browser, counts, newPage, note, ok, Stop, shot, VIEWPORTS, freshNip } from "./lib.mjs";

const WHOLE_MS = 20 * 60_000; // the sanitizer build on a loaded machine is several times slower

async function run(name, page, fn) {
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof Stop)) ok(false, `${name}: ran to its end`, (e && e.stack) || String(e));
    try { note(`failure screenshot ${await shot(page, `gagal-${name}`)}`); } catch { /* page gone */ }
  }
  const errs = page.errors.list();
  ok(errs.length === 0, `${name}: no console error, uncaught exception or unexpected failed request`, errs.join("\n"));
}

async function main() {
  const t0 = Date.now();
  rmSync(SHOTS, { recursive: true, force: true }); // this run's screenshots only
  const context = await browser();
  const found = {};
  for (const [tag, vp] of Object.entries(VIEWPORTS)) {
    const page = await newPage(context, vp);
    page.base = BASE;
    const nip = await freshNip(`pns.browser.${tag}@example.go.id`);
    await run(`daftar-${tag}`, page, async () => {
      found[tag] = await daftar.walk(page, { nip, email: `pns.browser.${tag}@example.go.id`, tag });
    });
    await page.close();
  }
  {
    const page = await newPage(context, VIEWPORTS.kantor);
    page.base = BASE;
    const nip = await freshNip("pns.keyboard@example.go.id");
    await run("keyboard", page, async () => { await keyboard.walk(page, { nip }); found.keyboard = nip; });
    await page.close();
  }
  for (const [tag, vp] of Object.entries(VIEWPORTS)) {
    const page = await newPage(context, vp);
    page.base = BASE;
    await run(`sibuk-${tag}`, page, () => sibuk.walk(page, { tag }));
    await page.close();
  }
  {
    const page = await newPage(context, VIEWPORTS.ponsel);
    page.base = BASE;
    await run("pemulihan", page, () => pemulihan.walk(page, { account: found.ponsel }));
    await page.close();
  }
  let desk = null;
  {
    const page = await newPage(context, VIEWPORTS.kantor);
    page.base = BASE;
    await run("verifikator", page, async () => { desk = await verifikator.walk(page, { context, account: found.kantor, qrNip: found.keyboard }); });
    await page.close();
  }
  if (found.keyboard) {
    const page = await newPage(context, VIEWPORTS.ponsel);
    page.base = BASE;
    await run("masuk-captcha", page, () => keyboard.captchaLogin(page, { nip: found.keyboard }));
    await page.close();
  }
  for (const [tag, vp] of Object.entries(VIEWPORTS)) {
    const page = await newPage(context, vp);
    page.base = BASE;
    await run(`halaman-${tag}`, page, () => halaman.walk(page, { tag, account: found[tag], desk }));
    await page.close();
  }
  note(`browser tests took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await context.close();
}

const watchdog = setTimeout(() => {
  ok(false, "the browser tests finished in time", `still running after ${WHOLE_MS / 1000} s`);
  console.log(`1..${counts().n}`);
  process.exit(1);
}, WHOLE_MS);

try {
  await main();
} catch (e) {
  ok(false, "the browser tests ran", (e && e.stack) || String(e));
}
clearTimeout(watchdog);
console.log(`1..${counts().n}`);
process.exit(counts().failures ? 1 : 0);
