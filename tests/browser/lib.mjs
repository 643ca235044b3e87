// lib.mjs -- what the portal's browser tests share: TAP output, steps,
// the test stack from outside the browser (API, Redis, PostgreSQL, the
// SMTP sink's Maildir), Debian's Chromium through playwright-core, the
// two viewports and the screenshots kept as test artefacts.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const TOP = process.env.TOP || resolve(here, "../..");
export const BASE = (process.env.BASE_URL || "http://127.0.0.1:28080").replace(/\/+$/, "");
export const REDIS_URL = process.env.PUPNS_REDIS_URL || "redis://127.0.0.1:25402/0";
export const PG_PORT = process.env.PG_PORT || "25401";
export const STATE_DIR = process.env.STATE_DIR || join(TOP, ".stack/test");
export const RESULTS = process.env.RESULTS_DIR || join(TOP, "build/test-results");
export const SHOTS = join(RESULTS, "screenshots");
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
// Generous: the stack may be the sanitizer build on a loaded 2-core machine.
export const STEP_MS = 60_000;

export const VIEWPORTS = {
  ponsel: { width: 360, height: 740 },
  kantor: { width: 1366, height: 768 },
};

// ---- TAP ------------------------------------------------------------------
let n = 0;
let failures = 0;
export function ok(cond, name, why = "") {
  n += 1;
  if (cond) {
    console.log(`ok ${n} - ${name}`);
  } else {
    failures += 1;
    console.log(`not ok ${n} - ${name}`);
    for (const line of String(why || "").split("\n").filter(Boolean).slice(0, 10)) console.log(`#   ${line}`);
  }
  return cond;
}
export function skip(name, why) {
  n += 1;
  console.log(`ok ${n} - ${name} # SKIP ${why}`);
}
export const note = (s) => console.log(`# ${s}`);
export const counts = () => ({ n, failures });

// A step: fn returns true, or a string saying what is wrong; a thrown error
// (time-out, missing element) fails it too. A failed step stops its walk
// (later steps need it), but for a `soft` one, which only looks.
export class Stop extends Error {}
export async function step(name, fn, soft = false) {
  let why;
  try {
    const r = await fn();
    why = r === true ? null : typeof r === "string" ? r : `returned ${r}`;
  } catch (e) {
    why = (e && e.message) || String(e);
  }
  ok(why === null, name, why);
  if (why !== null && !soft) throw new Stop(name);
}

// ---- the stack from outside the browser ------------------------------------------
export async function api(method, path, body, headers = {}) {
  const res = await fetch(BASE + path, {
    method,
    headers: { ...(body ? { "Content-Type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(STEP_MS),
  });
  let data = null;
  try { data = await res.json(); } catch { /* no body */ }
  return { status: res.status, data };
}

// Retries a 5xx (a time-out under load), as a person would press again.
export async function apiRetrying(method, path, body, headers) {
  let r;
  for (let i = 0; i < 6; i++) {
    r = await api(method, path, body, headers);
    if (r.status < 500) return r;
    await new Promise((ok_) => setTimeout(ok_, 1000));
  }
  return r;
}

export function redisGet(key) {
  const r = spawnSync("redis-cli", ["-u", REDIS_URL, "--no-raw", "GET", key], { encoding: "utf8", timeout: 15_000 });
  if (r.error) throw new Error(`redis-cli: ${r.error.message}`);
  const out = (r.stdout || "").trim();
  if (!out || out === "(nil)") throw new Error(`Redis has no ${key} (${(r.stderr || "").trim()})`);
  return out.replace(/^"(.*)"$/, "$1");
}

export function psql(sql, ...params) {
  // psql -v binds :'name' safely quoted; every parameter is passed as a variable.
  const args = ["-X", "-h", "127.0.0.1", "-p", PG_PORT, "-U", "postgres", "-d", "pupns", "-tA", "-v", "ON_ERROR_STOP=1"];
  params.forEach((p, i) => args.push("-v", `p${i + 1}=${p}`));
  const r = spawnSync("psql", args, { input: sql, encoding: "utf8", timeout: 30_000 });
  if (r.status !== 0) throw new Error(`psql: ${(r.stderr || "").trim()}`);
  return r.stdout.split("\n").filter((l) => l !== "");
}

// The rows of a test data range (tests/ranges.tsv: rows of identity.pns in
// NIP order, 1-based) as [first, last].
export function testRange(name) {
  for (const line of readFileSync(join(here, "..", "ranges.tsv"), "utf8").split("\n")) {
    const cols = line.split("\t");
    if (!line.startsWith("#") && cols[0] === name && cols.length >= 3) return [Number(cols[1]), Number(cols[2])];
  }
  throw new Error(`no test data range ${name} in tests/ranges.tsv`);
}

// The NIPs of the browser tests' range (tests/ranges.tsv, "browser").
const rangeNips = {};
export function testNips(name = "browser") {
  if (!rangeNips[name]) {
    const [from, to] = testRange(name);
    rangeNips[name] = psql(`SELECT nip FROM identity.pns ORDER BY nip OFFSET ${from - 1} LIMIT ${to - from + 1}`);
  }
  return rangeNips[name];
}

// The next NIP of this test's rows that is not registered yet (so that a
// re-run against one stack works). Each call takes a new one.
let nextNip = 0;
export async function freshNip(email) {
  const list = testNips();
  while (nextNip < list.length) {
    const nip = list[nextNip++];
    const r = await apiRetrying("POST", "/api/v1/registrasi/mulai", { nip, email });
    if (r.status === 200) return nip;
    if (r.status !== 409) throw new Error(`POST /api/v1/registrasi/mulai for ${nip}: ${r.status} ${JSON.stringify(r.data)}`);
  }
  throw new Error(`every NIP of rows ${testRange("browser").join("-")} is registered already (wipe the stack)`);
}

// The mails the SMTP sink kept (Maildir new/ and cur/), newest last.
export function mails() {
  const dir = join(STATE_DIR, "mail");
  const out = [];
  for (const sub of ["new", "cur"]) {
    let names = [];
    try { names = readdirSync(join(dir, sub)); } catch { continue; }
    for (const f of names) {
      const p = join(dir, sub, f);
      out.push({ path: p, mtime: statSync(p).mtimeMs, text: readFileSync(p, "utf8") });
    }
  }
  return out.sort((a, b) => a.mtime - b.mtime);
}
export const maildirExists = () => {
  try { return statSync(join(STATE_DIR, "mail")).isDirectory(); } catch { return false; }
};

// The text of a mail: quoted-printable and base64 parts decoded (roughly:
// enough to find a link in it).
export function mailText(raw) {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  let body = rest.join("\n\n");
  if (/Content-Transfer-Encoding:\s*base64/i.test(raw)) {
    body = body.replace(/(^|\n)([A-Za-z0-9+/=\r\n]{40,})(?=\n|$)/g, (m, pre, b64) => {
      try { return pre + Buffer.from(b64.replace(/\s+/g, ""), "base64").toString("utf8"); } catch { return m; }
    });
  }
  body = body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  return head.replace(/\r?\n[ \t]+/g, " ") + "\n\n" + body; // headers unfolded
}

export async function waitFor(fn, what, ms = STEP_MS) {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok_) => setTimeout(ok_, 500));
  }
}

// ---- the browser ------------------------------------------------------------------
export async function browser() {
  const profile = mkdtempSync(join(tmpdir(), "pupns-chromium-"));
  process.on("exit", () => rmSync(profile, { recursive: true, force: true }));
  // A fresh, empty profile per run; the flags are the ones that work on this machine kind.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: STEP_MS * 2,
    acceptDownloads: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: VIEWPORTS.kantor,
    locale: "id-ID",
  });
  return context;
}

// A new page at a viewport, watching for console errors, uncaught
// exceptions and failed requests (errors.list() says what went wrong;
// expect(url) allows a failed response the test provoked on purpose).
export async function newPage(context, viewport = VIEWPORTS.kantor) {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  page.setDefaultTimeout(STEP_MS);
  page.setDefaultNavigationTimeout(STEP_MS);
  const consoleErrors = [];
  const expected = new Set();
  const bad = [];
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push({ text: m.text(), url: (m.location() || {}).url || "" });
  });
  page.on("pageerror", (e) => consoleErrors.push({ text: `uncaught: ${e.message}`, url: "" }));
  const later = new Set(); // URLs answered 2xx after an earlier failure
  page.on("response", (r) => {
    if (r.status() >= 400) bad.push({ url: r.url(), status: r.status(), method: r.request().method() });
    else if (r.status() < 300 && bad.some((b) => b.url === r.url())) later.add(r.url());
  });
  page.errors = {
    expect: (url) => expected.add(url),
    list() {
      const out = [];
      for (const r of bad) {
        if (expected.has(r.url) || r.url.endsWith("/favicon.ico")) continue;
        // A 503/504 the page itself retried to success (the PDFs): noted, not failed.
        if ((r.status === 503 || r.status === 504) && later.has(r.url)) {
          console.log(`# (retried by the page) ${r.method} ${r.url} -> ${r.status}`);
          continue;
        }
        out.push(`${r.method} ${r.url} -> ${r.status}`);
      }
      for (const c of consoleErrors) {
        if (c.url.endsWith("/favicon.ico")) continue;
        if (/^Failed to load resource/.test(c.text) && expected.has(c.url)) continue;
        if (/^Failed to load resource: the server responded with a status of [45]\d\d/.test(c.text) &&
            bad.some((r) => r.url === c.url)) continue;
        out.push(`${c.text} ${c.url}`);
      }
      return out;
    },
  };
  return page;
}

// A full-page screenshot, build/test-results/screenshots/<name>-<viewport>.png.
export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  const vp = page.viewportSize();
  const tag = vp && vp.width <= 400 ? "360" : "1366";
  const file = join(SHOTS, `${name}-${tag}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// Does anything stick out sideways at this width (horizontal scrolling)?
export async function overflowX(page) {
  return page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    const wide = [];
    for (const el of document.querySelectorAll("body *")) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > w + 1 && getComputedStyle(el).position !== "absolute") wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : ""));
    }
    return document.documentElement.scrollWidth > w + 1 ? wide.slice(0, 5).join(", ") || "the page" : "";
  });
}
