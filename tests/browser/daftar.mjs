// daftar.mjs -- a PNS registers in the browser, as in the tutorial: Cari,
// a correction report of the Nama (its email and captcha, errors at their
// fields first), Lanjut with an email, the form first
// wrong (errors at their fields, what was typed kept) then right,
// Registrasi Sukses, Cetak and Cetak Formulir (the PDFs, downloaded with the
// session), and Keluar / Login again.
import { readFileSync } from "node:fs";
import { axeViolations } from "./a11y.mjs";
import { apiRetrying, note, redisGet, shot, step, STEP_MS } from "./lib.mjs";

// No serious or critical axe-core violation in the page as shown now.
async function axeOk(page, what) {
  const v = await axeViolations(page);
  return !v || v.length === 0 ? true : `${what}: axe-core: ${v.join("; ")}`;
}

export const PASSWORD = "Rahasia#Malang75";

// Below the field: the error's top is within 80 px under the field's bottom.
async function nextTo(page, input, err) {
  const a = await page.locator(input).boundingBox();
  const b = await page.locator(err).boundingBox();
  if (!a || !b) return `${input} or ${err} is not shown`;
  const gap = b.y - (a.y + a.height);
  return gap >= -1 && gap <= 80 ? true : `the error of ${input} is ${Math.round(gap)} px from its field`;
}

async function pdfOf(page, button, want) {
  const dl = page.waitForEvent("download", { timeout: STEP_MS * 2 });
  await page.locator(button).click();
  const d = await dl;
  const name = d.suggestedFilename();
  const file = await d.path();
  const head = readFileSync(file).subarray(0, 5).toString("latin1");
  if (!want.test(name)) return `file name '${name}'`;
  if (head !== "%PDF-") return `the download is not a PDF (starts '${head}')`;
  return { name, size: readFileSync(file).length };
}

export async function walk(page, { nip, email, tag }) {
  const $ = (sel) => page.locator(sel);
  const pns = (await apiRetrying("GET", `/api/v1/pns/${nip}`)).data;
  if (!pns || !pns.nama) throw new Error(`GET /api/v1/pns/${nip} gave no PNS`);
  note(`[${tag}] NIP ${nip}: ${pns.nama}, ${pns.instansi.nama}`);

  await step(`[${tag}] home: Register / Login / Helpdesk, Daftar opens the registration`, async () => {
    const res = await page.goto(page.base + "/");
    if (!res || res.status() !== 200) return `GET / answered ${res && res.status()}`;
    if ((await page.getAttribute("html", "lang")) !== "id") return "html lang is not id";
    for (const name of ["Register", "Login", "Helpdesk"]) {
      if (!(await page.getByRole("heading", { name, exact: true }).isVisible())) return `no ${name} on the home page`;
    }
    await shot(page, "beranda");
    await $("#tombol-daftar").click();
    await page.waitForURL(/\/daftar$/);
    await $("#nip").waitFor({ state: "visible" });
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    return focused === "judul-daftar" || `focus after the page change is on #${focused}, want the page's h1`;
  });

  await step(`[${tag}] a malformed NIP: the API's message at the NIP field`, async () => {
    await $("#nip").fill("19750102201407");
    const resP = page.waitForResponse((r) => r.url().includes("/api/v1/pns/"));
    await $("#tombol-cari").click();
    const res = await resP;
    page.errors.expect(res.url());
    await $("#nip-galat").waitFor({ state: "visible" });
    const t = (await $("#nip-galat").textContent()).trim();
    if (!/18 digit/.test(t)) return `NIP error is '${t}'`;
    if ((await $("#nip").getAttribute("aria-invalid")) !== "true") return "the NIP field is not aria-invalid";
    if ((await $("#nip").inputValue()) !== "19750102201407") return "the typed NIP was not kept";
    return (await $("#hasil-cari").isHidden()) || "a result is shown for a malformed NIP";
  });

  await step(`[${tag}] Cari shows NIP, Nama, Instansi Kerja and Unit Kerja`, async () => {
    await $("#nip").fill(nip);
    await $("#tombol-cari").click();
    await page.waitForFunction((want) => document.getElementById("hasil-nip").textContent === want, nip);
    await $("#hasil-cari").waitFor({ state: "visible" });
    if (await $("#nip-galat").isVisible()) return "the old NIP error is still shown";
    const got = {
      nama: (await $("#hasil-nama").textContent()).trim(),
      instansi: (await $("#hasil-instansi").textContent()).trim(),
      unit: (await $("#hasil-unit").textContent()).trim(),
    };
    const want = { nama: pns.nama, instansi: pns.instansi.nama, unit: pns.unit_kerja.nama };
    for (const k of Object.keys(want)) if (got[k] !== want[k]) return `${k}: shown '${got[k]}', want '${want[k]}'`;
    return true;
  });

  await step(`[${tag}] 'klik di sini' under Instansi and under Nama open the correction form`, async () => {
    await $('a.lapor[data-field="instansi"]').click();
    await $("#form-koreksi").waitFor({ state: "visible" });
    let judul = (await $("#judul-koreksi").textContent()).trim();
    if (judul !== "Laporkan kesalahan data Instansi Kerja") return `heading is '${judul}'`;
    await $('a.lapor[data-field="nama"]').click();
    judul = (await $("#judul-koreksi").textContent()).trim();
    if (judul !== "Laporkan kesalahan data Nama") return `heading is '${judul}'`;
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    if (focused !== "usulan") return `focus is on #${focused}, want #usulan`;
    // No flow token yet and no session: the form asks for the email, and has its captcha.
    if (!(await $("#koreksi-email").isVisible())) return "the correction form does not ask for the email";
    await page.waitForFunction(() => {
      const img = document.querySelector("#form-koreksi [data-captcha-gambar]");
      return img && img.dataset.id && img.complete && img.naturalWidth > 0;
    });
    return (await $("#form-koreksi [data-captcha-baru]").isVisible()) || "no captcha reload button";
  });

  const captchaKoreksi = async () => {
    await page.waitForFunction(() => {
      const img = document.querySelector("#form-koreksi [data-captcha-gambar]");
      return img && img.dataset.id && img.complete && img.naturalWidth > 0;
    });
    return $("#form-koreksi [data-captcha-gambar]").getAttribute("data-id");
  };

  await step(`[${tag}] a correction with a bad email: the error at the email field, what was typed kept`, async () => {
    await $("#usulan").fill(pns.nama + " S.PD");
    await $("#koreksi-email").fill("pns.salah@");
    const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/registrasi/mulai"));
    await $("#form-koreksi button[type=submit]").click();
    const res = await resP;
    page.errors.expect(res.url());
    if (res.status() !== 400) return `step 2 for the report answered ${res.status()}`;
    await $("#koreksi-email-galat").waitFor({ state: "visible" });
    const t = (await $("#koreksi-email-galat").textContent()).trim();
    if (!/email/i.test(t)) return `email error is '${t}'`;
    if ((await $("#koreksi-email").getAttribute("aria-invalid")) !== "true") return "the email field is not aria-invalid";
    if ((await $("#koreksi-email").inputValue()) !== "pns.salah@") return "the typed email was not kept";
    if ((await $("#usulan").inputValue()) !== pns.nama + " S.PD") return "the typed proposal was not kept";
    return nextTo(page, "#koreksi-email", "#koreksi-email-galat");
  });

  await step(`[${tag}] an empty correction and a wrong captcha: both errors at their fields, the rest kept`, async () => {
    await $("#usulan").fill("");
    await $("#catatan").fill("Gelar belum tercantum (uji browser).");
    await $("#koreksi-email").fill(email);
    const id = await captchaKoreksi();
    const answer = redisGet(`captcha:${id}`);
    await $("#koreksi-captcha").fill((answer[0].toUpperCase() === "X" ? "Y" : "X") + answer.slice(1));
    const tokP = page.waitForResponse((r) => r.url().endsWith("/api/v1/registrasi/mulai"));
    const resP = page.waitForResponse((r) => r.url().endsWith(`/api/v1/pns/${nip}/koreksi`));
    await $("#form-koreksi button[type=submit]").click();
    const tok = await tokP;
    if (tok.status() !== 200) return `step 2 for the report answered ${tok.status()}`;
    const res = await resP;
    page.errors.expect(res.url());
    if (res.status() !== 400) return `an empty report answered ${res.status()}`;
    const sent = res.request().postDataJSON();
    if (!sent.token || sent.captcha_id !== id) return `the report went without its token or captcha: ${JSON.stringify(Object.keys(sent))}`;
    for (const [input, err, want] of [["#usulan", "#usulan-galat", /data yang benar/i], ["#koreksi-captcha", "#koreksi-captcha-galat", /kode/i]]) {
      await $(err).waitFor({ state: "visible" });
      const t = (await $(err).textContent()).trim();
      if (!want.test(t)) return `${input}: error '${t}'`;
      const close = await nextTo(page, input, err);
      if (close !== true) return close;
      if ((await $(input).getAttribute("aria-invalid")) !== "true") return `${input} is not aria-invalid`;
    }
    if ((await $("#catatan").inputValue()) !== "Gelar belum tercantum (uji browser).") return "the typed note was not kept";
    if (await $("#koreksi-email").isVisible()) return "the email is still asked for, with a flow token in hand";
    const fresh = await captchaKoreksi();
    return fresh !== id || "no new captcha after the refused report";
  });

  await step(`[${tag}] the corrected report of Nama is sent (201) with a new captcha`, async () => {
    await $("#usulan").fill(pns.nama + " S.PD");
    const id = await captchaKoreksi();
    await $("#koreksi-captcha").fill(redisGet(`captcha:${id}`));
    const resP = page.waitForResponse((r) => r.url().endsWith(`/api/v1/pns/${nip}/koreksi`));
    await $("#form-koreksi button[type=submit]").click();
    const res = await resP;
    if (res.status() !== 201) return `POST koreksi answered ${res.status()}: ${await res.text()}`;
    const got = await res.json();
    if (got.usulan !== pns.nama + " S.PD") return `the stored proposal is '${got.usulan}'`;
    await page.waitForFunction(() => /Laporan diterima/.test(document.querySelector("#form-koreksi [data-pesan]").textContent));
    for (const err of ["#usulan-galat", "#koreksi-captcha-galat"]) {
      if (await $(err).isVisible()) return `the old error ${err} is still shown`;
    }
    await shot(page, "daftar-koreksi");
    return axeOk(page, "the correction form");
  });

  await step(`[${tag}] a bad email: the error at the email field, the address kept`, async () => {
    await $("#email").fill("pns.salah@");
    const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/registrasi/mulai"));
    await $("#tombol-lanjut").click();
    const res = await resP;
    page.errors.expect(res.url());
    await $("#email-galat").waitFor({ state: "visible" });
    const t = (await $("#email-galat").textContent()).trim();
    if (!/email/i.test(t)) return `email error is '${t}'`;
    if ((await $("#email").inputValue()) !== "pns.salah@") return "the typed email was not kept";
    return nextTo(page, "#email", "#email-galat");
  });

  await step(`[${tag}] an email and Lanjut open the registration form (questions, captcha)`, async () => {
    await $("#email").fill(email);
    await $("#tombol-lanjut").click();
    await page.waitForURL(/\/daftar\/formulir$/);
    await $("#kata_kunci").waitFor({ state: "visible" });
    await page.waitForFunction(() => document.getElementById("pertanyaan_id").options.length > 1);
    await page.waitForFunction(() => {
      const img = document.getElementById("captcha-gambar");
      return img.dataset.id && img.complete && img.naturalWidth > 0;
    });
    await shot(page, "daftar-formulir");
    return axeOk(page, "the registration form");
  });

  await step(`[${tag}] the password hint: 8 characters, and a strength that rises`, async () => {
    const hint = (await $("#kata_kunci-bantuan").textContent()).trim();
    if (!/Minimal 8 karakter/.test(hint)) return `hint is '${hint}'`;
    await $("#kata_kunci").fill("abc");
    const weak = (await $("#kata_kunci-kekuatan").textContent()).trim();
    await $("#kata_kunci").fill(PASSWORD);
    const strong = (await $("#kata_kunci-kekuatan").textContent()).trim();
    if (!/lemah/.test(weak)) return `'abc' is rated '${weak}'`;
    if (!/kuat/.test(strong)) return `'${PASSWORD}' is rated '${strong}'`;
    return true;
  });

  await step(`[${tag}] the captcha reload button gives a new image`, async () => {
    const old = await $("#captcha-gambar").getAttribute("data-id");
    await $("#captcha-baru").click();
    await page.waitForFunction((o) => {
      const img = document.getElementById("captcha-gambar");
      return img.dataset.id && img.dataset.id !== o && img.complete && img.naturalWidth > 0;
    }, old);
    return true;
  });

  await $("#nama_ibu_kandung").fill("Siti Aminah");
  const question = await page.evaluate(() => document.getElementById("pertanyaan_id").options[2].value);
  await $("#pertanyaan_id").selectOption(question);
  await $("#jawaban").fill("SD Negeri 3 Klojen");

  await step(`[${tag}] a wrong captcha and a different confirmation: errors at their fields, the rest kept`, async () => {
    const id = await $("#captcha-gambar").getAttribute("data-id");
    const answer = redisGet(`captcha:${id}`);
    const wrong = (answer[0].toUpperCase() === "X" ? "Y" : "X") + answer.slice(1);
    await $("#konfirmasi_kata_kunci").fill(PASSWORD + "x");
    await $("#captcha_jawaban").fill(wrong);
    const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/registrasi") && r.request().method() === "POST");
    await $("#tombol-registrasi").click();
    const res = await resP;
    page.errors.expect(res.url());
    if (res.status() !== 400) return `POST /api/v1/registrasi answered ${res.status()}, want 400`;
    const errK = "#konfirmasi_kata_kunci-galat", errC = "#captcha_jawaban-galat";
    await $(errK).waitFor({ state: "visible" });
    await $(errC).waitFor({ state: "visible" });
    const tK = (await $(errK).textContent()).trim();
    const tC = (await $(errC).textContent()).trim();
    if (!/kata kunci/i.test(tK)) return `confirmation error is '${tK}'`;
    if (!/kode/i.test(tC)) return `captcha error is '${tC}'`;
    for (const [input, err] of [["#konfirmasi_kata_kunci", errK], ["#captcha_jawaban", errC]]) {
      const close = await nextTo(page, input, err);
      if (close !== true) return close;
      if ((await $(input).getAttribute("aria-invalid")) !== "true") return `${input} is not aria-invalid`;
    }
    for (const f of ["nama_ibu_kandung", "pertanyaan_id", "jawaban"]) {
      if (await $(`#${f}-galat`).isVisible()) return `an error is shown at ${f}, which is right`;
    }
    const kept = {
      nama_ibu_kandung: await $("#nama_ibu_kandung").inputValue(),
      jawaban: await $("#jawaban").inputValue(),
      pertanyaan_id: await $("#pertanyaan_id").inputValue(),
    };
    if (kept.nama_ibu_kandung !== "Siti Aminah" || kept.jawaban !== "SD Negeri 3 Klojen" || kept.pertanyaan_id !== question) {
      return `typed values were not kept: ${JSON.stringify(kept)}`;
    }
    if ((await $("#kata_kunci").inputValue()) !== "") return "the password is kept after a password error";
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    if (focused !== "konfirmasi_kata_kunci") return `focus is on #${focused}, want the first field at fault`;
    const pesan = (await $("#form-registrasi [data-pesan]").textContent()).trim();
    if (!/Periksa kembali/.test(pesan)) return `form message is '${pesan}'`;
    note(`[${tag}] field errors: '${tK}' / '${tC}'`);
    await shot(page, "daftar-galat-isian");
    return axeOk(page, "the form with its field errors");
  });

  await step(`[${tag}] a new captcha image after the failed attempt, its field emptied`, async () => {
    await page.waitForFunction(() => {
      const img = document.getElementById("captcha-gambar");
      return img.dataset.id && img.complete && img.naturalWidth > 0;
    });
    const typed = await $("#captcha_jawaban").inputValue();
    return typed === "" || `the captcha field still holds '${typed}'`;
  });

  let noReg;
  await step(`[${tag}] the corrected form registers: Registrasi Sukses with No. Registrasi, NIP, Nama, Instansi`, async () => {
    await $("#kata_kunci").fill(PASSWORD);
    await $("#konfirmasi_kata_kunci").fill(PASSWORD);
    const id = await $("#captcha-gambar").getAttribute("data-id");
    await $("#captcha_jawaban").fill(redisGet(`captcha:${id}`));
    const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/registrasi") && r.request().method() === "POST",
      { timeout: STEP_MS * 2 });
    await $("#tombol-registrasi").click();
    const res = await resP;
    if (res.status() !== 201) return `POST /api/v1/registrasi answered ${res.status()}: ${await res.text()}`;
    await page.waitForURL(/\/daftar\/sukses$/, { timeout: STEP_MS * 2 });
    await $("#sukses-no").waitFor({ state: "visible" });
    noReg = (await $("#sukses-no").textContent()).trim();
    const got = {
      nip: (await $("#sukses-nip").textContent()).trim(),
      nama: (await $("#sukses-nama").textContent()).trim(),
      instansi: (await $("#sukses-instansi").textContent()).trim(),
    };
    if (!/^[2-9A-HJKMNP-Z]{8}$/.test(noReg)) return `No. Registrasi is '${noReg}'`;
    if (got.nip !== nip || got.nama !== pns.nama || got.instansi !== pns.instansi.nama) return `shown ${JSON.stringify(got)}`;
    note(`[${tag}] No. Registrasi ${noReg}`);
    await shot(page, "daftar-sukses");
    return axeOk(page, "Registrasi Sukses");
  });

  await step(`[${tag}] Cetak downloads the Bukti Registrasi PDF, Cetak Formulir the Formulir`, async () => {
    const b = await pdfOf(page, 'section[data-view="/daftar/sukses"] button[data-pdf="bukti"]', new RegExp(`^bukti-registrasi-${noReg}\\.pdf$`));
    if (typeof b === "string") return `Cetak: ${b}`;
    const f = await pdfOf(page, 'section[data-view="/daftar/sukses"] button[data-pdf="formulir"]', new RegExp(`^formulir-${noReg}\\.pdf$`));
    if (typeof f === "string") return `Cetak Formulir: ${f}`;
    note(`[${tag}] ${b.name} ${b.size} bytes, ${f.name} ${f.size} bytes`);
    return true;
  });

  await step(`[${tag}] Keluar, then a wrong password does not log in (error shown, password emptied)`, async () => {
    await $("#tombol-keluar").click();
    await page.waitForURL((u) => u.pathname === "/");
    await page.goto(page.base + "/masuk");
    await $("#masuk-nip").fill(nip);
    await $("#masuk-kata-kunci").fill(PASSWORD + "salah");
    const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/login"), { timeout: STEP_MS * 2 });
    await $("#tombol-masuk").click();
    const res = await resP;
    page.errors.expect(res.url());
    if (res.status() !== 401) return `login with a wrong password answered ${res.status()}`;
    await page.waitForFunction(() => document.querySelector("#form-masuk [data-pesan]").textContent.trim() !== "");
    if ((await $("#masuk-kata-kunci").inputValue()) !== "") return "the password is left in the field";
    if ((await $("#masuk-nip").inputValue()) !== nip) return "the NIP was not kept";
    return true;
  });

  await step(`[${tag}] Login with NIP and password opens Akun Saya`, async () => {
    await $("#masuk-kata-kunci").fill(PASSWORD);
    const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/login"), { timeout: STEP_MS * 2 });
    await $("#tombol-masuk").click();
    const res = await resP;
    if (res.status() !== 200) return `login answered ${res.status()}`;
    await page.waitForURL(/\/akun$/);
    return true;
  });

  // Step 2 refuses a registered NIP: the logged-in owner's session stands in for the flow token.
  if (tag === "ponsel") {
    await step(`[${tag}] registered and logged in: a correction goes with the session, no email asked`, async () => {
      await page.goto(page.base + "/daftar");
      await $("#nip").fill(nip);
      await $("#tombol-cari").click();
      await $("#hasil-cari").waitFor({ state: "visible" });
      await $('a.lapor[data-field="instansi"]').click();
      await $("#form-koreksi").waitFor({ state: "visible" });
      if (await $("#koreksi-email").isVisible()) return "the email is asked for although the PNS is logged in";
      await $("#usulan").fill(pns.instansi.nama);
      const id = await captchaKoreksi();
      await $("#koreksi-captcha").fill(redisGet(`captcha:${id}`));
      const resP = page.waitForResponse((r) => r.url().endsWith(`/api/v1/pns/${nip}/koreksi`));
      await $("#form-koreksi button[type=submit]").click();
      const res = await resP;
      if (res.status() !== 201) return `POST koreksi answered ${res.status()}: ${await res.text()}`;
      const auth = await res.request().headerValue("authorization");
      if (!auth || !/^Bearer /.test(auth) || res.request().postDataJSON().token) return "the report did not go with the session alone";
      await page.waitForFunction(() => /Laporan diterima/.test(document.querySelector("#form-koreksi [data-pesan]").textContent));
      return true;
    });
  }
  return { nip, noReg, pns };
}
