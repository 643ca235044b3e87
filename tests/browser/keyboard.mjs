// keyboard.mjs -- a PNS registers with the keyboard alone: Tab, typing,
// Enter, the arrow keys of a select; the tab order follows the form, every
// focused control shows a focus ring, each new page starts at its heading,
// and Cetak works from the keyboard too.
import { PASSWORD } from "./daftar.mjs";
import { api, note, redisGet, shot, step, STEP_MS } from "./lib.mjs";

const focused = (page) => page.evaluate(() => {
  const a = document.activeElement;
  if (!a || a === document.body) return { id: "", ring: false };
  const cs = getComputedStyle(a);
  return { id: a.id || a.className || a.tagName.toLowerCase(), ring: cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0 };
});

// Presses Tab until the element with this id has the focus (at most `max`
// presses); returns the ids passed on the way.
async function tabTo(page, id, max = 12) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const f = await focused(page);
    seen.push(f.id);
    if (!f.ring && f.id) throw new Error(`#${f.id} has the focus but no visible focus ring`);
    if (f.id === id) return seen;
  }
  throw new Error(`Tab never reached #${id} (passed ${seen.join(", ")})`);
}

export async function walk(page, { nip }) {
  await step("keyboard only: home → skip link → Daftar (Enter) opens the registration at its heading", async () => {
    await page.goto(page.base + "/");
    await page.keyboard.press("Tab");
    const first = await focused(page);
    if (first.id !== "lompat") return `the first Tab focuses '${first.id}', want the skip link`;
    await tabTo(page, "tombol-daftar");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/daftar$/);
    const f = await focused(page);
    return f.id === "judul-daftar" || `focus on '${f.id}'`;
  });

  await step("keyboard only: NIP, Enter (Cari), then Tab through the two 'klik di sini' links to the email, Enter (Lanjut)", async () => {
    const path = await tabTo(page, "nip", 3);
    if (path.length !== 1) return `from the heading, Tab passed ${path.join(", ")} before the NIP`;
    await page.keyboard.type(nip);
    await page.keyboard.press("Enter");
    await page.waitForFunction((n) => document.getElementById("hasil-nip").textContent === n, nip);
    const seen = await tabTo(page, "email", 8);
    const links = seen.filter((s) => s === "lapor").length;
    if (links !== 2) return `Tab passed ${seen.join(", ")}: want the two correction links before the email`;
    await page.keyboard.type(`pns.keyboard.${nip.slice(-4)}@example.go.id`);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/daftar\/formulir$/);
    await page.waitForFunction(() => document.getElementById("pertanyaan_id").options.length > 1 &&
      document.getElementById("captcha-gambar").dataset.id);
    const f = await focused(page);
    return f.id === "judul-formulir" || `focus on '${f.id}' after Lanjut`;
  });

  await step("keyboard only: the form in tab order (Kata Kunci … captcha, Kembali, Registrasi), Enter registers", async () => {
    const order = [];
    const fill = async (id, text) => {
      order.push(...(await tabTo(page, id, 4)));
      if (text !== undefined) await page.keyboard.type(text);
    };
    await fill("kata_kunci", PASSWORD);
    await fill("konfirmasi_kata_kunci", PASSWORD);
    await fill("nama_ibu_kandung", "Siti Aminah");
    await fill("pertanyaan_id");
    await page.keyboard.press("ArrowDown");
    const q = await page.locator("#pertanyaan_id").inputValue();
    if (!q) return "ArrowDown chose no security question";
    await fill("jawaban", "SD Negeri 3 Klojen");
    await fill("captcha-baru");
    const old = await page.locator("#captcha-gambar").getAttribute("data-id");
    await page.keyboard.press("Enter"); // a new code, and the focus moves to its field
    await page.waitForFunction((o) => document.getElementById("captcha-gambar").dataset.id !== o, old);
    const f = await focused(page);
    if (f.id !== "captcha_jawaban") return `after 'Muat ulang kode' the focus is on '${f.id}'`;
    await page.keyboard.type(redisGet(`captcha:${await page.locator("#captcha-gambar").getAttribute("data-id")}`));
    await fill("tombol-kembali");
    await fill("tombol-registrasi");
    const want = ["kata_kunci", "konfirmasi_kata_kunci", "nama_ibu_kandung", "pertanyaan_id", "jawaban", "captcha-baru", "tombol-kembali", "tombol-registrasi"];
    if (order.join(",") !== want.join(",")) return `tab order ${order.join(", ")}`;
    const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/registrasi") && r.request().method() === "POST", { timeout: STEP_MS * 2 });
    await page.keyboard.press("Enter");
    const res = await resP;
    if (res.status() !== 201) return `registration answered ${res.status()}`;
    await page.waitForURL(/\/daftar\/sukses$/, { timeout: STEP_MS * 2 });
    const h = await focused(page);
    return h.id === "judul-sukses" || `focus on '${h.id}' on Registrasi Sukses`;
  });

  await step("keyboard only: Tab to Cetak, Enter downloads the Bukti Registrasi", async () => {
    const seen = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press("Tab");
      const t = await page.evaluate(() => document.activeElement && document.activeElement.textContent.trim());
      seen.push(t);
      if (t === "Cetak") break;
    }
    if (seen[seen.length - 1] !== "Cetak") return `Tab passed ${seen.join(", ")}`;
    const dl = page.waitForEvent("download", { timeout: STEP_MS * 2 });
    await page.keyboard.press("Enter");
    const d = await dl;
    note(`keyboard: ${d.suggestedFilename()}`);
    return /^bukti-registrasi-[2-9A-HJKMNP-Z]{8}\.pdf$/.test(d.suggestedFilename()) || `file ${d.suggestedFilename()}`;
  });
}

// After five failed logins for a NIP the API wants a solved captcha with
// the next one (401 captcha_wajib, no password tried): the login form shows
// the captcha, and with it the right password logs in.
export async function captchaLogin(page, { nip }) {
  await step("after 5 failed logins for a NIP, Login asks for a captcha and then logs in with it", async () => {
    for (let i = 0; i < 5; i++) {
      const r = await api("POST", "/api/v1/auth/login", { nip, kata_kunci: `salah-${i}-sekali` });
      if (r.status !== 401) return `failure ${i + 1} answered ${r.status}`;
    }
    await page.goto(page.base + "/masuk");
    await page.locator("#masuk-nip").fill(nip);
    await page.locator("#masuk-kata-kunci").fill(PASSWORD);
    let resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/login"), { timeout: STEP_MS * 2 });
    await page.locator("#tombol-masuk").click();
    let res = await resP;
    page.errors.expect(res.url());
    const body = await res.json();
    if (res.status() !== 401 || !body.captcha_wajib) return `the 6th login answered ${res.status()} ${JSON.stringify(body)}`;
    await page.locator("#masuk-captcha").waitFor({ state: "visible" });
    await page.waitForFunction(() => {
      const i = document.querySelector("#form-masuk [data-captcha-gambar]");
      return i.dataset.id && i.complete && i.naturalWidth > 0;
    });
    const msg = (await page.locator("#form-masuk [data-pesan]").textContent()).trim();
    note(`captcha asked: '${msg}'`);
    await shot(page, "masuk-captcha");
    const id = await page.locator("#form-masuk [data-captcha-gambar]").getAttribute("data-id");
    await page.locator("#masuk-kata-kunci").fill(PASSWORD);
    await page.locator("#masuk-captcha").fill(redisGet(`captcha:${id}`));
    resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/login"), { timeout: STEP_MS * 2 });
    await page.locator("#tombol-masuk").click();
    res = await resP;
    if (res.status() !== 200) return `with the captcha: ${res.status()} ${await res.text()}`;
    await page.waitForURL(/\/akun$/);
    await page.locator("#tombol-keluar").click();
    await page.waitForURL((u) => u.pathname === "/");
    return true;
  });
}
