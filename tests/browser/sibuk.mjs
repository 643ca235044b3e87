// sibuk.mjs -- a busy or unreachable gateway never gives a blank page or a
// raw error: 503 (sistem_sibuk), 429, 504, a dropped connection and a
// proxy's HTML 502 each show a clear Indonesian message, 429/503/504 with
// "coba lagi pukul HH:MM WIB" from Retry-After; what was typed is kept and
// the button comes back after the wait. (Answers intercepted with
// page.route: the gateway's own shedding is tested by the backpressure tests.)
import { note, shot, step, testNips } from "./lib.mjs";

// HH:MM WIB of the first whole minute at or after now + s (as the portal and the gateway say it).
function wib(s, at = Date.now()) {
  const t = new Date(Math.ceil((at + s * 1000) / 60000) * 60000 + 7 * 3600 * 1000);
  return String(t.getUTCHours()).padStart(2, "0") + ":" + String(t.getUTCMinutes()).padStart(2, "0");
}

function problem(status, code, title, detail, retry) {
  const body = { type: `https://pupns.bkn.go.id/problems/${code}`, title, status, detail, code };
  if (retry) body.retry_after = retry;
  return {
    status,
    headers: { "Content-Type": "application/problem+json", ...(retry ? { "Retry-After": String(retry) } : {}) },
    body: JSON.stringify(body),
  };
}

export async function walk(page, { tag }) {
  const $ = (sel) => page.locator(sel);
  const nip = testNips()[199];
  const pesanCari = "#form-cari [data-pesan]";

  await step(`[${tag}] a 503 at Cari: 'Sistem sedang sibuk … coba lagi pukul HH:MM WIB', the NIP kept, Cari held`, async () => {
    await page.goto(page.base + "/daftar");
    await page.route("**/api/v1/pns/*", (route) => route.fulfill(problem(503, "sistem_sibuk", "Sistem sedang sibuk",
      "Sistem sedang sibuk. Silakan coba lagi pukul 00:00 WIB. Permintaan Anda belum diproses.", 120)));
    await $("#nip").fill(nip);
    const t = Date.now();
    const resP = page.waitForResponse((r) => r.url().includes("/api/v1/pns/"));
    await $("#tombol-cari").click();
    page.errors.expect((await resP).url());
    await page.waitForFunction((sel) => document.querySelector(sel).textContent.trim() !== "", pesanCari);
    const text = (await $(pesanCari).textContent()).trim();
    const cls = await $(pesanCari).getAttribute("class");
    const times = [wib(120, t - 2000), wib(120, t + 5000)];
    note(`[${tag}] 503: '${text}'`);
    if (!/coba lagi/i.test(text)) return `no 'coba lagi' in '${text}'`;
    if (!times.some((h) => text.includes(`pukul ${h} WIB`))) return `no 'pukul ${times[0]} WIB' in '${text}'`;
    if (!/sibuk/.test(cls)) return `the message is not marked busy (class ${cls})`;
    if ((await $("#nip").inputValue()) !== nip) return "the NIP was not kept";
    if (!(await $("#tombol-cari").isDisabled())) return "Cari can be pressed again at once";
    if ((await $("#hasil-cari").isVisible())) return "a result is shown";
    await shot(page, "sibuk-503");
    await page.unroute("**/api/v1/pns/*");
    return true;
  });

  await step(`[${tag}] a 429 at Lanjut: 'Terlalu banyak permintaan … coba lagi', Lanjut back after Retry-After, then it works`, async () => {
    await page.goto(page.base + "/daftar");
    await $("#nip").fill(nip);
    await $("#tombol-cari").click();
    await $("#hasil-cari").waitFor({ state: "visible" });
    await page.route("**/api/v1/registrasi/mulai", (route) => route.fulfill(problem(429, "terlalu_banyak_permintaan",
      "Terlalu banyak permintaan", "Terlalu banyak permintaan. Coba lagi dalam 2 detik.", 2)));
    await $("#email").fill("pns.sibuk@example.go.id");
    const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/registrasi/mulai"));
    await $("#tombol-lanjut").click();
    page.errors.expect((await resP).url());
    const sel = "#form-lanjut [data-pesan]";
    await page.waitForFunction((s) => document.querySelector(s).textContent.trim() !== "", sel);
    const text = (await $(sel).textContent()).trim();
    if (!/Terlalu banyak permintaan/.test(text) || !/coba lagi pukul \d\d:\d\d WIB/i.test(text)) return `message '${text}'`;
    if ((await $("#email").inputValue()) !== "pns.sibuk@example.go.id") return "the email was not kept";
    await page.unroute("**/api/v1/registrasi/mulai");
    await page.waitForFunction(() => !document.getElementById("tombol-lanjut").disabled, null, { timeout: 15_000 });
    return true;
  });

  await step(`[${tag}] a 504 at Login says the system did not answer in time, with the time to come back`, async () => {
    await page.goto(page.base + "/masuk");
    await page.route("**/api/v1/auth/login", (route) => route.fulfill(problem(504, "layanan_tidak_menjawab",
      "Layanan registrasi tidak menjawab", "Layanan registrasi sedang sibuk dan tidak menjawab tepat waktu.", 30)));
    await $("#masuk-nip").fill(nip);
    await $("#masuk-kata-kunci").fill("apa saja 123");
    const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/login"));
    await $("#tombol-masuk").click();
    page.errors.expect((await resP).url());
    const sel = "#form-masuk [data-pesan]";
    await page.waitForFunction((s) => document.querySelector(s).textContent.trim() !== "", sel);
    const text = (await $(sel).textContent()).trim();
    await page.unroute("**/api/v1/auth/login");
    if (!/tidak menjawab tepat waktu/.test(text) || !/coba lagi pukul \d\d:\d\d WIB/.test(text)) return `message '${text}'`;
    return true;
  });

  await step(`[${tag}] a dropped connection and a proxy's HTML 502: plain Indonesian messages, never the raw answer`, async () => {
    await page.goto(page.base + "/daftar");
    await page.route("**/api/v1/pns/*", (route) => {
      page.errors.expect(route.request().url());
      return route.abort("connectionreset");
    });
    await $("#nip").fill(nip);
    await $("#tombol-cari").click();
    await page.waitForFunction((s) => document.querySelector(s).textContent.trim() !== "", pesanCari);
    const a = (await $(pesanCari).textContent()).trim();
    await page.unroute("**/api/v1/pns/*");
    if (!/Tidak dapat terhubung/.test(a)) return `dropped connection: '${a}'`;
    await page.route("**/api/v1/pns/*", (route) => route.fulfill({ status: 502, contentType: "text/html",
      body: "<html><body><h1>502 Bad Gateway</h1>nginx</body></html>" }));
    const resP = page.waitForResponse((r) => r.url().includes("/api/v1/pns/"));
    await $("#tombol-cari").click();
    page.errors.expect((await resP).url());
    await page.waitForFunction((s) => /kode 502/.test(document.querySelector(s).textContent), pesanCari);
    const b = (await $(pesanCari).textContent()).trim();
    await page.unroute("**/api/v1/pns/*");
    if (/nginx|Bad Gateway|</.test(b)) return `the raw answer is shown: '${b}'`;
    note(`[${tag}] dropped: '${a}' / 502: '${b}'`);
    return true;
  });
}
