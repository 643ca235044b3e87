// halaman.mjs -- every page of the portal and of the verifier desks opens
// at this size: status 200 (404 for a mistyped address, still the portal's
// page), lang id, exactly one h1 that names the document, nothing wider
// than the screen; a full-page screenshot of each is kept.
import { PASSWORD } from "./daftar.mjs";
import { axeViolations } from "./a11y.mjs";
import { note, overflowX, shot, step, STEP_MS } from "./lib.mjs";
import { keluar, masuk } from "./verifikator.mjs";

const PAGES = [
  ["/", "beranda", 200],
  ["/daftar", "daftar", 200],
  ["/masuk", "masuk", 200],
  ["/bantuan", "bantuan", 200],
  ["/lupa-kata-kunci", "lupa-kata-kunci", 200],
  ["/cek-status", "cek-status", 200],
  ["/akun/kata-kunci-baru", "kata-kunci-baru", 200],
  ["/akun/verifikasi-email", "verifikasi-email", 200],
  ["/halaman-yang-tidak-ada", "tidak-ditemukan", 404],
  ["/verifikator", "verifikator-masuk", 200],
];

export async function check(page, path, name, status) {
  const res = await page.goto(page.base + path);
  if (!res || res.status() !== status) return `GET ${path} answered ${res && res.status()}, want ${status}`;
  if (status >= 400) page.errors.expect(res.url());
  await page.waitForFunction(() => document.querySelectorAll("section[data-view]:not([hidden])").length === 1);
  await page.waitForTimeout(300); // a page's own first request (the mail links check their token)
  if ((await page.getAttribute("html", "lang")) !== "id") return `${path}: html lang is not id`;
  const h1 = await page.locator("h1:visible").allTextContents();
  if (h1.length !== 1) return `${path}: ${h1.length} visible h1`;
  const title = await page.title();
  if (!title.startsWith(h1[0].trim())) return `${path}: title '${title}' does not start with the h1 '${h1[0]}'`;
  const wide = await overflowX(page);
  if (wide) return `${path}: wider than the screen: ${wide}`;
  await shot(page, name);
  return axeClean(page, path);
}

// No serious or critical axe-core violation (skipped without axe-core).
async function axeClean(page, path) {
  const v = await axeViolations(page);
  return !v || v.length === 0 || `${path}: axe-core: ${v.join("; ")}`;
}

// A desk page after its verifier's login: fits the screen, screenshot.
async function desk(page, path, name) {
  await page.goto(page.base + path);
  await page.waitForFunction(() => document.querySelectorAll("section[data-view]:not([hidden])").length === 1);
  await page.waitForTimeout(1500); // its lists load
  const wide = await overflowX(page);
  if (wide) return `${path}: wider than the screen: ${wide}`;
  await shot(page, name);
  return axeClean(page, path);
}

// Bytes of every response of a cold load of `path` (cache disabled), the
// API's answers included (the form's captcha image and questions).
async function weight(page, path, until) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  let total = 0;
  const count = (e) => { total += e.encodedDataLength; };
  cdp.on("Network.loadingFinished", count);
  await page.goto(page.base + path, { waitUntil: "networkidle" });
  if (until) await until();
  await page.waitForTimeout(300);
  cdp.off("Network.loadingFinished", count);
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: false });
  await cdp.detach();
  return total;
}

export async function walk(page, { tag, account, desk: akun }) {
  if (tag === "kantor") {
    await step("weight: the home page and the registration page each under 100 KB transferred (cold)", async () => {
      const home = await weight(page, "/");
      const daftar = await weight(page, "/daftar", async () => {
        await page.locator("#nip").fill(account ? account.nip : "197501022014071003");
        await page.locator("#tombol-cari").click();
        await page.locator("#hasil-cari").waitFor({ state: "visible" });
      });
      note(`weight: / ${(home / 1024).toFixed(1)} KB, /daftar with a Cari ${(daftar / 1024).toFixed(1)} KB`);
      return (home < 100 * 1024 && daftar < 100 * 1024) || `/ ${home} bytes, /daftar ${daftar} bytes`;
    }, true);
  }
  for (const [path, name, status] of PAGES) {
    await step(`[${tag}] ${path} opens, one h1, fits the screen, no serious axe-core violation (screenshot ${name})`, () => check(page, path, name, status), true);
  }
  if (akun) {
    for (const [user, pages] of [[akun.v1, [["/verifikator/unit", "verifikator-unit"], [`/verifikator/batch?id=${akun.batchId}`, "verifikator-batch-detail"]]],
      [akun.v2, [["/verifikator/batch", "verifikator-batch"], ["/verifikator/koreksi", "verifikator-koreksi"]]],
      [akun.admin, [["/verifikator/audit", "verifikator-audit"]]]]) {
      await step(`[${tag}] the desk pages of ${user} fit the screen, no serious axe-core violation (screenshots)`, async () => {
        await masuk(page, user);
        try {
          for (const [path, name] of pages) {
            const r = await desk(page, path, name);
            if (r !== true) return r;
          }
        } finally {
          await keluar(page); // the next account logs in from the login page
        }
        return true;
      }, true);
    }
  }
  if (!account) return;
  await step(`[${tag}] /akun after Login fits the screen, no serious axe-core violation (screenshot akun)`, async () => {
    await page.goto(page.base + "/masuk");
    await page.locator("#masuk-nip").fill(account.nip);
    await page.locator("#masuk-kata-kunci").fill(account.password || PASSWORD);
    await page.locator("#tombol-masuk").click();
    await page.waitForURL(/\/akun$/, { timeout: STEP_MS * 2 });
    await page.waitForTimeout(1000);
    const wide = await overflowX(page);
    if (wide) return `/akun: wider than the screen: ${wide}`;
    await shot(page, "akun");
    const ax = await axeClean(page, "/akun");
    if (ax !== true) return ax;
    await page.locator("#tombol-keluar").click();
    await page.waitForURL((u) => u.pathname === "/");
    return true;
  }, true);
}
