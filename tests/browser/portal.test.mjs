// portal.test.mjs -- the e-PUPNS portal in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core; no browser download).
// Walks the tutorial: Cari NIP, report a wrong Nama, Lanjut with an email,
// the registration form (first wrong, then right), "Registrasi Sukses",
// then Masuk / Keluar. Prints TAP lines; exit status 0 only if all pass.
//
// Environment: BASE_URL (gateway), NIPS_FILE (NIPs of the stack; lines
// 980-999 are this test's), PUPNS_REDIS_URL (captcha answers are read from
// Redis, as the other tests do), RESULTS_DIR (screenshots; default
// build/test-results), CHROMIUM (default /usr/bin/chromium).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const TOP = resolve(here, "../..");
const BASE = (process.env.BASE_URL || "http://127.0.0.1:28080").replace(/\/+$/, "");
const REDIS_URL = process.env.PUPNS_REDIS_URL || "redis://127.0.0.1:25402/0";
const RESULTS = process.env.RESULTS_DIR || join(TOP, "build/test-results");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
// Generous: the stack may be the sanitizer build on a loaded 2-core machine.
const STEP_MS = 60_000;
const WHOLE_MS = 8 * 60_000;

const PASSWORD = "Rahasia#Malang75";
const EMAIL = "pns.browser@example.go.id";

// ---- TAP ------------------------------------------------------------------
let n = 0;
let failures = 0;
function ok(cond, name, why = "") {
  n += 1;
  if (cond) {
    console.log(`ok ${n} - ${name}`);
  } else {
    failures += 1;
    console.log(`not ok ${n} - ${name}`);
    for (const line of String(why || "").split("\n").filter(Boolean).slice(0, 8)) console.log(`#   ${line}`);
  }
  return cond;
}
const note = (s) => console.log(`# ${s}`);

// A step: fn returns true, or a string saying what is wrong; a thrown error
// (time-out, missing element) fails it too. A failed step stops the walk
// (later steps need it), but for a `soft` one, which only looks.
class Stop extends Error {}
async function step(name, fn, soft = false) {
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

// ---- helpers outside the browser ---------------------------------------------
async function api(method, path, body) {
  const res = await fetch(BASE + path, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(STEP_MS),
  });
  let data = null;
  try { data = await res.json(); } catch { /* no body */ }
  return { status: res.status, data };
}

// Retries a 5xx (a time-out under load), as a user would press again.
async function apiRetrying(method, path, body) {
  let r;
  for (let i = 0; i < 5; i++) {
    r = await api(method, path, body);
    if (r.status < 500) return r;
    await new Promise((ok_) => setTimeout(ok_, 500));
  }
  return r;
}

function redisGet(key) {
  const r = spawnSync("redis-cli", ["-u", REDIS_URL, "--no-raw", "GET", key], { encoding: "utf8", timeout: 15_000 });
  if (r.error) throw new Error(`redis-cli: ${r.error.message}`);
  const out = (r.stdout || "").trim();
  // --no-raw quotes strings and prints (nil) for a missing key
  if (!out || out === "(nil)") throw new Error(`Redis has no ${key} (${(r.stderr || "").trim()})`);
  return out.replace(/^"(.*)"$/, "$1");
}

// Lines 990-999, then 980-989 (1-based) of NIPS_FILE: the first NIP that
// is not registered yet, so that re-running against one stack works.
async function freshNip() {
  const file = process.env.NIPS_FILE;
  if (!file) throw new Error("NIPS_FILE is not set");
  const lines = readFileSync(file, "utf8").split("\n").map((s) => s.trim());
  const order = [];
  for (let i = 990; i <= 999; i++) order.push(i);
  for (let i = 980; i <= 989; i++) order.push(i);
  for (const line of order) {
    const nip = lines[line - 1];
    if (!/^[0-9]{18}$/.test(nip || "")) continue;
    const r = await apiRetrying("POST", "/api/v1/registrasi/mulai", { nip, email: EMAIL });
    if (r.status === 200) return { nip, line };
    if (r.status !== 409) throw new Error(`POST /api/v1/registrasi/mulai for ${nip}: ${r.status} ${JSON.stringify(r.data)}`);
  }
  throw new Error(`every NIP of lines 980-999 of ${file} is registered already (wipe the stack)`);
}

// ---- the walk -------------------------------------------------------------------
async function main() {
  mkdirSync(RESULTS, { recursive: true });
  const t0 = Date.now();
  const { nip, line } = await freshNip();
  note(`NIP ${nip} (line ${line} of NIPS_FILE), portal ${BASE}`);
  const pns = (await apiRetrying("GET", `/api/v1/pns/${nip}`)).data;
  if (!pns || !pns.nama) throw new Error(`GET /api/v1/pns/${nip} gave no PNS`);

  const profile = mkdtempSync(join(tmpdir(), "pupns-chromium-"));
  process.on("exit", () => rmSync(profile, { recursive: true, force: true }));
  // A fresh, empty profile per run (launchPersistentContext passes it as
  // --user-data-dir); the flags are the ones that work on this machine kind.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: STEP_MS * 2,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1024, height: 900 },
    locale: "id-ID",
  });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.setDefaultNavigationTimeout(STEP_MS);

  // Console errors and uncaught exceptions. A request the test makes fail
  // on purpose (the wrong registration, 400) makes Chromium log "Failed to
  // load resource"; those are matched against the failed responses seen.
  const consoleErrors = [];
  const expected4xx = new Set();
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push({ text: m.text(), url: (m.location() || {}).url || "" });
  });
  page.on("pageerror", (e) => consoleErrors.push({ text: `uncaught: ${e.message}`, url: "" }));
  const responses = [];
  const answered = new WeakSet();
  page.on("response", (r) => {
    answered.add(r.request());
    responses.push({ url: r.url(), status: r.status(), method: r.request().method() });
  });
  // A fetch whose body the page never reads (Keluar ignores the 204 of
  // logout) stays open in Chromium and is "aborted" later: not a failure
  // once its response has arrived.
  const failedRequests = [];
  page.on("requestfailed", (r) => {
    const why = (r.failure() || {}).errorText || "";
    if (answered.has(r) && why === "net::ERR_ABORTED") return;
    failedRequests.push(`${r.method()} ${r.url()}: ${why}`);
  });

  const $ = (sel) => page.locator(sel);
  let finished = false;
  try {
    await step("the portal opens, in Bahasa Indonesia", async () => {
      const res = await page.goto(BASE + "/", { waitUntil: "load" });
      if (!res || res.status() !== 200) return `GET / answered ${res && res.status()}`;
      const lang = await page.getAttribute("html", "lang");
      const title = await page.title();
      if (lang !== "id") return `html lang is ${lang}`;
      if (!/PUPNS/.test(title)) return `title is ${title}`;
      await $("#tombol-cari").waitFor({ state: "visible" });
      const cssOk = await page.evaluate(() => getComputedStyle(document.querySelector("header")).backgroundColor);
      if (cssOk !== "rgb(11, 79, 138)") return `style.css is not applied (header background ${cssOk})`;
      return true;
    });

    await step("before a search, the (empty) result list is hidden", async () => {
      if (await $("#hasil-cari").isHidden()) return true;
      const attr = await $("#hasil-cari").getAttribute("hidden");
      const display = await page.evaluate(() => getComputedStyle(document.getElementById("hasil-cari")).display);
      return `#hasil-cari is shown (hidden attribute ${attr === null ? "absent" : "present"}, computed display: ${display})`;
    }, true);

    await step("a malformed NIP is refused in the page", async () => {
      await $("#nip").fill("12345");
      await $("#tombol-cari").click();
      await page.waitForFunction(() => /18 digit/.test(document.getElementById("pesan-cari").textContent));
      const cls = await $("#pesan-cari").getAttribute("class");
      if (!/galat/.test(cls)) return `the message is not marked as an error (class ${cls})`;
      return (await $("#hasil-nama").textContent()) === "" || "a Nama is shown for a malformed NIP";
    }, true);

    await step("Cari shows the NIP, Nama, Instansi Kerja and Unit Kerja", async () => {
      await $("#nip").fill("");
      await $("#nip").pressSequentially(nip);
      await $("#tombol-cari").click();
      // (not only "visible": #hasil-cari may show before the answer, see step 2)
      await page.waitForFunction((want) => document.getElementById("hasil-nip").textContent === want, nip);
      await $("#hasil-cari").waitFor({ state: "visible" });
      const got = {
        nip: (await $("#hasil-nip").textContent()).trim(),
        nama: (await $("#hasil-nama").textContent()).trim(),
        instansi: (await $("#hasil-instansi").textContent()).trim(),
        unit: (await $("#hasil-unit").textContent()).trim(),
      };
      const want = { nip, nama: pns.nama, instansi: pns.instansi.nama, unit: pns.unit_kerja.nama };
      for (const k of Object.keys(want)) if (got[k] !== want[k]) return `${k}: shown '${got[k]}', want '${want[k]}'`;
      if (!(await $("#hasil-nama").isVisible()) || !(await $("#hasil-instansi").isVisible())) return "Nama/Instansi not visible";
      if (!(await $("#form-lanjut").isVisible())) return "the email form is not shown";
      return true;
    });

    await step("'klik di sini' for Nama opens the correction form", async () => {
      await $('a.lapor[data-field="nama"]').click();
      await $("#form-koreksi").waitFor({ state: "visible" });
      const judul = (await $("#judul-koreksi").textContent()).trim();
      if (judul !== "Laporkan kesalahan data Nama") return `heading is '${judul}'`;
      const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
      return focused === "usulan" || `focus is on #${focused}, want #usulan`;
    });

    await step("a correction of Nama is sent and acknowledged", async () => {
      await $("#usulan").fill(pns.nama + " S.PD");
      await $("#catatan").fill("Gelar belum tercantum (uji browser).");
      const resP = page.waitForResponse((r) => r.url().endsWith(`/api/v1/pns/${nip}/koreksi`));
      await $("#form-koreksi button[type=submit]").click();
      const res = await resP;
      await page.waitForFunction(() => document.getElementById("pesan-koreksi").textContent.trim() !== "");
      const msg = (await $("#pesan-koreksi").textContent()).trim();
      const cls = await $("#pesan-koreksi").getAttribute("class");
      if (res.status() >= 300) return `POST koreksi answered ${res.status()}: ${msg}`;
      if (!/Laporan diterima/.test(msg) || !/sukses/.test(cls)) return `message '${msg}' (class ${cls})`;
      return true;
    });

    await step("an email and Lanjut open the registration form", async () => {
      await $("#email").fill(EMAIL);
      await $("#form-lanjut button[type=submit]").click();
      await $("#langkah-registrasi").waitFor({ state: "visible" });
      if (!(await $("#langkah-cari").isHidden())) return "step 1 is still shown";
      return true;
    });

    let firstCaptcha;
    await step("the form has the security questions and a captcha image", async () => {
      await page.waitForFunction(() => document.getElementById("pertanyaan_id").options.length > 1);
      await page.waitForFunction(() => {
        const img = document.getElementById("captcha-gambar");
        return state.captchaId && img.complete && img.naturalWidth > 0;
      });
      firstCaptcha = await page.evaluate(() => ({ id: state.captchaId, src: document.getElementById("captcha-gambar").src }));
      const nq = await page.evaluate(() => document.getElementById("pertanyaan_id").options.length - 1);
      return nq >= 1 || "no questions";
    });

    // Fills the form but for the confirmation and the captcha.
    await $("#kata_kunci").fill(PASSWORD);
    await $("#nama_ibu_kandung").fill("Siti Aminah");
    const question = await page.evaluate(() => document.getElementById("pertanyaan_id").options[2].value);
    await $("#pertanyaan_id").selectOption(question);
    await $("#jawaban").fill("SD Negeri 3 Klojen");

    await step("a wrong captcha and a different confirmation are marked at their fields", async () => {
      const answer = redisGet(`captcha:${firstCaptcha.id}`);
      // Answers are stored lower-case and compared ignoring case.
      const wrong = (answer[0].toUpperCase() === "X" ? "Y" : "X") + answer.slice(1);
      await $("#konfirmasi_kata_kunci").fill(PASSWORD + "x");
      await $("#captcha_jawaban").fill(wrong);
      const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/registrasi") && r.request().method() === "POST");
      await $("#tombol-registrasi").click();
      const res = await resP;
      if (res.status() !== 400) return `POST /api/v1/registrasi answered ${res.status()}, want 400`;
      expected4xx.add(res.url());
      const errK = $('.galat-isian[data-untuk="konfirmasi_kata_kunci"]');
      const errC = $('.galat-isian[data-untuk="captcha_jawaban"]');
      await errK.waitFor({ state: "visible" });
      await errC.waitFor({ state: "visible" });
      const tK = (await errK.textContent()).trim();
      const tC = (await errC.textContent()).trim();
      if (!/kata kunci/i.test(tK)) return `confirmation error is '${tK}'`;
      if (!/kode/i.test(tC)) return `captcha error is '${tC}'`;
      // next to their fields: right below the input, above the next label
      for (const [input, err] of [["#konfirmasi_kata_kunci", errK], ["#captcha_jawaban", errC]]) {
        const a = await $(input).boundingBox();
        const b = await err.boundingBox();
        const gap = b.y - (a.y + a.height);
        if (gap < -1 || gap > 60) return `the error of ${input} is ${Math.round(gap)} px from its field`;
      }
      for (const f of ["kata_kunci", "nama_ibu_kandung", "pertanyaan_id", "jawaban"]) {
        if (await $(`.galat-isian[data-untuk="${f}"]`).isVisible()) return `an error is shown at ${f}, which is right`;
      }
      const pesan = (await $("#pesan-registrasi").textContent()).trim();
      if (!/Periksa kembali/.test(pesan)) return `form message is '${pesan}'`;
      note(`field errors: '${tK}' / '${tC}'`);
      await page.screenshot({ path: join(RESULTS, "portal-galat-isian.png"), fullPage: true });
      return true;
    });

    await step("a new captcha image is loaded after the failed attempt", async () => {
      await page.waitForFunction((old) => {
        const img = document.getElementById("captcha-gambar");
        return state.captchaId && state.captchaId !== old && img.complete && img.naturalWidth > 0;
      }, firstCaptcha.id);
      const now = await page.evaluate(() => ({ id: state.captchaId, src: document.getElementById("captcha-gambar").src }));
      if (now.src === firstCaptcha.src) return "the image did not change";
      const typed = await $("#captcha_jawaban").inputValue();
      return typed === "" || `the captcha field still holds '${typed}'`;
    });

    let noReg;
    await step("the corrected form registers: Registrasi Sukses", async () => {
      const id = await page.evaluate(() => state.captchaId);
      await $("#konfirmasi_kata_kunci").fill(PASSWORD);
      await $("#captcha_jawaban").fill(redisGet(`captcha:${id}`));
      const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/registrasi") && r.request().method() === "POST",
        { timeout: STEP_MS * 2 });
      await $("#tombol-registrasi").click();
      const res = await resP;
      if (res.status() !== 201 && res.status() !== 200) {
        return `POST /api/v1/registrasi answered ${res.status()}: ${await res.text()}`;
      }
      await $("#langkah-sukses").waitFor({ state: "visible" });
      const h = (await $("#langkah-sukses h2").textContent()).trim();
      if (h !== "Registrasi Sukses") return `heading is '${h}'`;
      return (await $("#langkah-registrasi").isHidden()) || "the form is still shown";
    });

    await step("the receipt shows an 8-character No. Registrasi, the NIP, Nama and Instansi", async () => {
      noReg = (await $("#sukses-no").textContent()).trim();
      const got = {
        nip: (await $("#sukses-nip").textContent()).trim(),
        nama: (await $("#sukses-nama").textContent()).trim(),
        instansi: (await $("#sukses-instansi").textContent()).trim(),
      };
      if (!/^[0-9A-Z]{8}$/.test(noReg)) return `No. Registrasi is '${noReg}'`;
      if (got.nip !== nip) return `NIP shown '${got.nip}'`;
      if (got.nama !== pns.nama) return `Nama shown '${got.nama}', want '${pns.nama}'`;
      if (got.instansi !== pns.instansi.nama) return `Instansi shown '${got.instansi}', want '${pns.instansi.nama}'`;
      note(`No. Registrasi ${noReg}`);
      return true;
    });

    await step("screenshot portal-sukses.png", async () => {
      const file = join(RESULTS, "portal-sukses.png");
      await page.screenshot({ path: file, fullPage: true });
      note(`screenshot ${file}`);
      return true;
    });

    await step("a wrong password does not log in", async () => {
      await $("#login-nip").fill(nip);
      await $("#login-kata-kunci").fill(PASSWORD + "salah");
      const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/login"), { timeout: STEP_MS * 2 });
      await $("#form-login button[type=submit]").click();
      const res = await resP;
      expected4xx.add(res.url());
      if (res.status() < 400 || res.status() >= 500) return `login with a wrong password answered ${res.status()}`;
      await page.waitForFunction(() => document.getElementById("pesan-login").textContent.trim() !== "");
      if (!(await $("#akun").isHidden())) return "logged in with a wrong password";
      note(`login refused: '${(await $("#pesan-login").textContent()).trim()}'`);
      return true;
    });

    await step("Masuk with the NIP and password: 'Anda masuk sebagai <NIP>'", async () => {
      await $("#login-nip").fill(nip);
      await $("#login-kata-kunci").fill(PASSWORD);
      const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/login"), { timeout: STEP_MS * 2 });
      await $("#form-login button[type=submit]").click();
      const res = await resP;
      if (res.status() !== 200 && res.status() !== 201) return `login answered ${res.status()}: ${await res.text()}`;
      await $("#akun").waitFor({ state: "visible" });
      const text = (await $("#akun p").textContent()).replace(/\s+/g, " ").trim();
      if (text !== `Anda masuk sebagai ${nip}.`) return `shows '${text}'`;
      if (!(await $("#form-login").isHidden())) return "the login form is still shown";
      const pw = await $("#login-kata-kunci").inputValue();
      return pw === "" || "the password is left in the field";
    });

    await step("Keluar logs out and shows the login form again", async () => {
      const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/logout"));
      await $("#tombol-keluar").click();
      const res = await resP;
      if (res.status() >= 300) return `logout answered ${res.status()}`;
      await $("#form-login").waitFor({ state: "visible" });
      return (await $("#akun").isHidden()) || "the account box is still shown";
    });
    finished = true;
  } catch (e) {
    if (!(e instanceof Stop)) ok(false, "the walk ran to its end", (e && e.stack) || String(e));
    try {
      await page.screenshot({ path: join(RESULTS, "portal-gagal.png"), fullPage: true });
      note(`failure screenshot ${join(RESULTS, "portal-gagal.png")}`);
    } catch { /* the page is gone */ }
  }

  // Console: only the "Failed to load resource" of the requests failed on
  // purpose (each seen as a 4xx response) may appear.
  const bad4xx = responses.filter((r) => r.status >= 400 && !expected4xx.has(r.url) && !r.url.endsWith("/favicon.ico"));
  // /favicon.ico is the browser's own request, not the page's: noted only.
  for (const c of consoleErrors.filter((c) => c.url.endsWith("/favicon.ico"))) note(`(not counted) ${c.text} ${c.url}`);
  const unexpected = consoleErrors.filter((c) => !c.url.endsWith("/favicon.ico")).filter((c) => {
    if (!/^Failed to load resource: the server responded with a status of 4\d\d/.test(c.text)) return true;
    return !expected4xx.has(c.url) && c.url !== "";
  });
  ok(unexpected.length === 0, "no console errors or uncaught exceptions on the page",
    unexpected.map((c) => `${c.text} ${c.url}`).join("\n"));
  ok(bad4xx.length === 0 && failedRequests.length === 0, "every other request of the page succeeded",
    bad4xx.map((r) => `${r.method} ${r.url} -> ${r.status}`).concat(failedRequests).join("\n"));
  note(`walk ${finished ? "finished" : "stopped"} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

const watchdog = setTimeout(() => {
  ok(false, "the browser test finished in time", `still running after ${WHOLE_MS / 1000} s`);
  console.log(`1..${n}`);
  process.exit(1);
}, WHOLE_MS);

try {
  await main();
} catch (e) {
  ok(false, "the browser test ran", (e && e.stack) || String(e));
}
clearTimeout(watchdog);
console.log(`1..${n}`);
process.exit(failures ? 1 : 0);
