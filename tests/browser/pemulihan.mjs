// pemulihan.mjs -- recovery in the browser, end to end with the real mails
// (the SMTP sink's Maildir, $STATE_DIR/mail): the welcome mail's link
// verifies the address (Akun Saya then says so); Lupa Kata Kunci by mail:
// the reset link's page sets a new password that logs in; the reset by the
// security answer with the No. Registrasi; Cek Status; the password change
// on Akun Saya with its field errors.
import { PASSWORD } from "./daftar.mjs";
import { api, mails, mailText, maildirExists, note, redisGet, shot, skip, step, STEP_MS, waitFor } from "./lib.mjs";

const JAWABAN = "SD Negeri 3 Klojen";
const IBU = "Siti Aminah";

// The newest mail of this type to this address, and the link path in it.
async function linkFrom(type, email, path, after = 0) {
  const re = new RegExp(`${path.replace(/\//g, "\\/")}#t=([A-Za-z0-9_-]{43})`);
  return waitFor(() => {
    for (const m of mails().reverse()) {
      if (m.mtime < after) continue;
      const text = mailText(m.text);
      if (!new RegExp(`^X-PUPNS-Type:.*${type.replace(/\./g, "\\.")}`, "mi").test(text)) continue;
      if (!new RegExp(`^To:.*${email.replace(/[.+]/g, "\\$&")}`, "mi").test(text)) continue;
      const hit = re.exec(text);
      if (hit) return { token: hit[1], href: `${path}#t=${hit[1]}` };
    }
    return null;
  }, `a ${type} mail to ${email} with a ${path} link`, STEP_MS * 2);
}

async function fillCaptcha(page, form) {
  const img = page.locator(`${form} [data-captcha-gambar]`);
  await page.waitForFunction((sel) => {
    const i = document.querySelector(sel);
    return i && i.dataset.id && i.complete && i.naturalWidth > 0;
  }, `${form} [data-captcha-gambar]`);
  const id = await img.getAttribute("data-id");
  await page.locator(`${form} input[name=captcha_jawaban]`).fill(redisGet(`captcha:${id}`));
}

async function login(page, nip, pw) {
  await page.goto(page.base + "/masuk");
  await page.locator("#masuk-nip").fill(nip);
  await page.locator("#masuk-kata-kunci").fill(pw);
  const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/login"), { timeout: STEP_MS * 2 });
  await page.locator("#tombol-masuk").click();
  const res = await resP;
  if (res.status() !== 200) return `login answered ${res.status()}`;
  await page.waitForURL(/\/akun$/);
  await page.waitForFunction(() => document.getElementById("akun-no").textContent.trim() !== "");
  return true;
}

async function logout(page) {
  await page.locator("#tombol-keluar").click();
  await page.waitForURL((u) => u.pathname === "/");
}

export async function walk(page, { account }) {
  const $ = (sel) => page.locator(sel);
  const probe = await api("POST", "/api/v1/kata-kunci/lupa", {});
  if (probe.status === 404 && probe.data && probe.data.code === "tidak_ditemukan") {
    skip("lupa kata kunci end to end", "the gateway has no /api/v1/kata-kunci/lupa yet");
    return;
  }
  if (!account) throw new Error("no registered account from the registration walk");
  if (!maildirExists()) {
    skip("lupa kata kunci end to end", `no SMTP sink Maildir at STATE_DIR/mail`);
    return;
  }
  const { nip, noReg } = account;
  const email = "pns.browser.ponsel@example.go.id";
  let pw = PASSWORD;

  await step("Akun Saya: No. Registrasi, status 'Terdaftar', the address not verified yet", async () => {
    const r = await login(page, nip, pw);
    if (r !== true) return r;
    const no = (await $("#akun-no").textContent()).trim();
    if (no !== noReg) return `No. Registrasi shown '${no}', want ${noReg}`;
    const cur = (await $("#akun-status li.kini").textContent()).trim();
    if (!/^Terdaftar/.test(cur)) return `current step '${cur}'`;
    const badge = (await $("#akun-email-status").textContent()).trim();
    if (badge !== "Belum terverifikasi") return `address badge '${badge}'`;
    if (!(await $("#tombol-kirim-ulang").isVisible())) return "no 'Kirim ulang' button for an unverified address";
    await page.waitForFunction(() => !/Memuat/.test(document.getElementById("akun-koreksi").textContent));
    const kor = (await $("#akun-koreksi").textContent()).trim();
    if (!/Sedang diperiksa/.test(kor)) note(`corrections on Akun Saya: '${kor}'`);
    await shot(page, "akun");
    return true;
  });

  await step("the welcome mail's link (/akun/verifikasi-email#t=…) verifies the address", async () => {
    const link = await linkFrom("welcome", email, "/akun/verifikasi-email");
    await page.goto(page.base + link.href);
    await page.waitForFunction(() => /berhasil/.test(document.getElementById("verifikasi-pesan").textContent));
    if (new URL(page.url()).hash) return `the token stays in the address bar: ${page.url()}`;
    await shot(page, "verifikasi-email-berhasil");
    await page.goto(page.base + "/akun");
    await page.waitForFunction(() => document.getElementById("akun-email-status").textContent.trim() === "Terverifikasi");
    return (await $("#tombol-kirim-ulang").isHidden()) || "'Kirim ulang' is still offered";
  });

  await step("the same verification link again: a clear 'tidak berlaku' message, no raw error", async () => {
    const link = await linkFrom("welcome", email, "/akun/verifikasi-email");
    const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/email/verifikasi"));
    await page.goto(page.base + link.href);
    page.errors.expect((await resP).url());
    await page.waitForFunction(() => /tidak berlaku/.test(document.getElementById("verifikasi-pesan").textContent));
    return true;
  });

  await step("Akun Saya: a password change with a wrong old password shows the error at that field", async () => {
    await page.goto(page.base + "/akun");
    await $("#ganti-lama").fill("salah sekali 123");
    await $("#ganti-baru").fill("Baru#Malang2026");
    await $("#ganti-konfirmasi").fill("Baru#Malang2026");
    const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/akun/kata-kunci"), { timeout: STEP_MS * 2 });
    await $("#form-ganti-kata-kunci button[type=submit]").click();
    const res = await resP;
    page.errors.expect(res.url());
    if (res.status() !== 403) return `answered ${res.status()}`;
    await $("#ganti-lama-galat").waitFor({ state: "visible" });
    if ((await $("#ganti-baru").inputValue()) !== "") return "passwords are kept after a failure";
    await logout(page);
    return true;
  });

  await step("Lupa Kata Kunci by mail: NIP + captcha, then the same message whatever the NIP", async () => {
    await page.goto(page.base + "/lupa-kata-kunci");
    await $("#lupa-nip").fill(nip);
    await fillCaptcha(page, "#form-lupa-email");
    const since = Date.now() - 1000;
    page.sejakLupa = since;
    const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/kata-kunci/lupa"), { timeout: STEP_MS * 2 });
    await $("#form-lupa-email button[type=submit]").click();
    const res = await resP;
    if (res.status() !== 202) return `answered ${res.status()}`;
    await page.waitForFunction(() => /tautan/.test(document.querySelector("#form-lupa-email [data-pesan]").textContent));
    await shot(page, "lupa-kata-kunci-terkirim");
    return true;
  });

  await step("the reset mail's link (/akun/kata-kunci-baru#t=…): a too-short password is refused at its field, then a new one is set", async () => {
    const link = await linkFrom("reset_link", email, "/akun/kata-kunci-baru", page.sejakLupa);
    await page.goto(page.base + link.href);
    await $("#baru-kata-kunci").waitFor({ state: "visible" });
    if (new URL(page.url()).hash) return `the token stays in the address bar: ${page.url()}`;
    await $("#baru-kata-kunci").fill("pendek");
    await $("#baru-konfirmasi").fill("pendek");
    let resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/kata-kunci/baru"), { timeout: STEP_MS * 2 });
    await $("#form-kata-kunci-baru button[type=submit]").click();
    let res = await resP;
    page.errors.expect(res.url());
    if (res.status() !== 400) return `a short password answered ${res.status()}`;
    await $("#baru-galat").waitFor({ state: "visible" });
    pw = "Lewat#Email2026";
    await $("#baru-kata-kunci").fill(pw);
    await $("#baru-konfirmasi").fill(pw);
    resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/kata-kunci/baru"), { timeout: STEP_MS * 2 });
    await $("#form-kata-kunci-baru button[type=submit]").click();
    res = await resP;
    if (res.status() !== 200) return `answered ${res.status()}: ${await res.text()}`;
    await page.waitForFunction(() => /berhasil/.test(document.querySelector("#form-kata-kunci-baru [data-pesan]").textContent));
    await shot(page, "kata-kunci-baru-berhasil");
    return true;
  });

  await step("the new password logs in; the old one does not", async () => {
    const r = await login(page, nip, pw);
    if (r !== true) return r;
    await logout(page);
    const old = await api("POST", "/api/v1/auth/login", { nip, kata_kunci: PASSWORD });
    return old.status === 401 || `the old password answered ${old.status}`;
  });

  await step("reset by the security answer: a wrong answer is refused, the right one sets a new password", async () => {
    await page.goto(page.base + "/lupa-kata-kunci");
    await $('input[name="cara-lupa"][value="jawaban"]').check();
    await $("#form-lupa-jawaban").waitFor({ state: "visible" });
    await $("#reset-nip").fill(nip);
    await $("#reset-no").fill(noReg.toLowerCase());
    await $("#reset-jawaban").fill("bukan jawabannya");
    const next = "Lewat#Jawaban2026";
    await $("#reset-baru").fill(next);
    await $("#reset-konfirmasi").fill(next);
    await fillCaptcha(page, "#form-lupa-jawaban");
    let resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/kata-kunci/reset"), { timeout: STEP_MS * 2 });
    await $("#form-lupa-jawaban button[type=submit]").click();
    let res = await resP;
    page.errors.expect(res.url());
    if (res.status() !== 401) return `a wrong answer answered ${res.status()}`;
    await page.waitForFunction(() => /tidak cocok/.test(document.querySelector("#form-lupa-jawaban [data-pesan]").textContent));
    if ((await $("#reset-no").inputValue()) !== noReg.toLowerCase()) return "the typed number was not kept";
    await $("#reset-jawaban").fill(JAWABAN);
    await $("#reset-baru").fill(next);
    await $("#reset-konfirmasi").fill(next);
    await fillCaptcha(page, "#form-lupa-jawaban");
    resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/kata-kunci/reset"), { timeout: STEP_MS * 2 });
    await $("#form-lupa-jawaban button[type=submit]").click();
    res = await resP;
    if (res.status() !== 200) return `the right answer answered ${res.status()}: ${await res.text()}`;
    pw = next;
    const r = await login(page, nip, pw);
    if (r !== true) return `after the reset: ${r}`;
    await logout(page);
    return true;
  });

  await step("Cek Status with nama ibu kandung and jawaban: the number goes to the verified address", async () => {
    await page.goto(page.base + "/cek-status");
    await $("#cek-nip").fill(nip);
    await $("#cek-ibu").fill(IBU);
    await $("#cek-jawaban").fill(JAWABAN);
    await fillCaptcha(page, "#form-cek-status");
    const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/status"), { timeout: STEP_MS * 2 });
    await $("#form-cek-status button[type=submit]").click();
    const res = await resP;
    if (res.status() !== 200) return `answered ${res.status()}`;
    await $("#cek-hasil").waitFor({ state: "visible" });
    const t = (await $("#cek-hasil-email").textContent()).trim();
    if (!/dikirim ke email/.test(t)) return `result '${t}'`;
    await shot(page, "cek-status-hasil");
    return true;
  });
  account.password = pw;
}
