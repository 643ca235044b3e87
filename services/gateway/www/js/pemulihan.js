/* pemulihan.js -- a PNS who lost the password or the number: Lupa Kata
 * Kunci (a link by mail, or the security answer with the No. Registrasi),
 * the pages behind the mail links (/akun/kata-kunci-baru#t=TOKEN,
 * /akun/verifikasi-email#t=TOKEN) and Cek Status. A link's token is read
 * from the fragment (never sent in a URL to a server log or Referer) and
 * the fragment is then removed from the address bar and the history. */
import { call, pesanGagal, sibuk } from "./api.js";
import { captcha } from "./captcha.js";
import { halaman } from "./router.js";
import { tahapKe, teksStatus } from "./status.js";
import { $, $$, bersihkanGalat, isian, kosongkanKataKunci, pasangKekuatan, pesan, pesanForm, saatKirim, tampilkanGagal } from "./ui.js";

function tautanMasuk(el, text = "Masuk dengan kata kunci baru") {
  const a = document.createElement("a");
  a.href = "/masuk";
  a.textContent = text;
  el.append(" ", a);
}

/* The token of a mail link (#t=...), taken once and then wiped from the address. */
function ambilToken() {
  const m = /^#t=([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (location.hash) history.replaceState(null, "", location.pathname);
  return m ? m[1] : null;
}

// ---- Lupa kata kunci ----------------------------------------------------------------
const formLupa = $("#form-lupa-email");
const formReset = $("#form-lupa-jawaban");
const capLupa = captcha(formLupa);
const capReset = captcha(formReset);

function pilihCara() {
  const cara = ($('input[name="cara-lupa"]:checked') || {}).value || "email";
  formLupa.hidden = cara !== "email";
  formReset.hidden = cara !== "jawaban";
  const cap = cara === "email" ? capLupa : capReset;
  if (!cap.id) cap.muat();
}
for (const r of $$('input[name="cara-lupa"]')) r.addEventListener("change", pilihCara);

saatKirim(formLupa, "Mengirim…", async (form) => {
  if (!capLupa.id && !(await capLupa.muat())) return;
  const r = await call("POST", "/api/v1/kata-kunci/lupa", { body: { ...isian(form), captcha_id: capLupa.id } });
  await capLupa.setelah(r);
  if (!r.ok) {
    tampilkanGagal(form, r);
    return;
  }
  pesan(pesanForm(form), r.data.pesan || "Permintaan diterima. Periksa email Anda.", "sukses");
  await capLupa.muat();
});

pasangKekuatan(formReset.elements.kata_kunci, () => formReset.elements.nip.value.trim());
saatKirim(formReset, "Menyimpan…", async (form) => {
  if (!capReset.id && !(await capReset.muat())) return;
  const body = { ...isian(form), captcha_id: capReset.id };
  body.no_registrasi = body.no_registrasi.toUpperCase().replace(/[\s-]+/g, "");
  const r = await call("POST", "/api/v1/kata-kunci/reset", { body });
  kosongkanKataKunci(form);
  await capReset.setelah(r);
  if (!r.ok) {
    tampilkanGagal(form, r);
    return;
  }
  for (const el of form.elements) if (el.name && el.tagName !== "BUTTON") el.value = "";
  const p = pesanForm(form);
  pesan(p, r.data.pesan || "Kata kunci berhasil diganti.", "sukses");
  tautanMasuk(p);
  await capReset.muat();
});

// ---- Kata kunci baru (mail link) ----------------------------------------------
const formBaru = $("#form-kata-kunci-baru");
let tokenBaru = null;
pasangKekuatan(formBaru.elements.kata_kunci);
saatKirim(formBaru, "Menyimpan…", async (form) => {
  if (!tokenBaru) {
    pesan(pesanForm(form), "Tautan tidak lengkap. Buka kembali tautan dari email Anda, atau minta tautan baru melalui Lupa Kata Kunci.", "galat");
    return;
  }
  const r = await call("POST", "/api/v1/kata-kunci/baru", { body: { token: tokenBaru, ...isian(form) } });
  kosongkanKataKunci(form);
  if (!r.ok) {
    tampilkanGagal(form, r);
    if (r.data.code === "tautan_tidak_berlaku") {
      const a = document.createElement("a");
      a.href = "/lupa-kata-kunci";
      a.textContent = "Minta tautan baru";
      pesanForm(form).append(" ", a);
    }
    return;
  }
  tokenBaru = null; // single use
  const p = pesanForm(form);
  pesan(p, r.data.pesan || "Kata kunci berhasil diganti.", "sukses");
  tautanMasuk(p);
  $("button[type=submit]", form).disabled = true;
});

// ---- Verifikasi email (mail link) -------------------------------------------------
async function verifikasi() {
  const el = $("#verifikasi-pesan");
  const token = ambilToken();
  if (!token) {
    pesan(el, "Tautan tidak lengkap. Buka kembali tautan dari email Anda, atau masuk dan minta tautan baru dari Akun Saya.", "galat");
    return;
  }
  pesan(el, "Memeriksa tautan…", "info");
  for (let i = 0; i < 10; i++) {
    const r = await call("POST", "/api/v1/email/verifikasi", { body: { token } });
    if (r.ok) {
      pesan(el, r.data.pesan || "Alamat email Anda berhasil diverifikasi.", "sukses");
      return;
    }
    pesan(el, sibuk(r) || r.status === 0 ? pesanGagal(r) + " Halaman ini akan mencoba lagi sendiri." : pesanGagal(r),
      sibuk(r) || r.status === 0 ? "sibuk" : "galat");
    // A busy server: the same link is tried again after its wait (at most 5 minutes).
    if (!(sibuk(r) || r.status === 0)) return;
    await new Promise((ok) => setTimeout(ok, Math.min(Math.max(r.retryAfter || 10, 2), 300) * 1000));
  }
}

// ---- Cek status -------------------------------------------------------------------------
const formCek = $("#form-cek-status");
const capCek = captcha(formCek);
const TAHAP_TEKS = ["Terdaftar", "Bukti registrasi diterima Verifikator 1", "Dikirim ke Verifikator 2 (BKD)",
  "Diterima Verifikator 2", "Unit kerja aktif"];
saatKirim(formCek, "Memeriksa…", async (form) => {
  $("#cek-hasil").hidden = true;
  if (!capCek.id && !(await capCek.muat())) return;
  const r = await call("POST", "/api/v1/status", { body: { ...isian(form), captcha_id: capCek.id } });
  await capCek.setelah(r);
  if (!r.ok) {
    tampilkanGagal(form, r);
    return;
  }
  await capCek.muat();
  const d = r.data;
  const surel = $("#cek-hasil-email");
  $("#cek-data").hidden = !!d.dikirim_ke_email;
  surel.hidden = !d.dikirim_ke_email;
  if (d.dikirim_ke_email) {
    surel.textContent = `Data cocok. Nomor registrasi dan status Anda telah dikirim ke email ${d.email || "Anda yang terverifikasi"}.`;
  } else {
    $("#cek-hasil-nip").textContent = d.nip || "";
    $("#cek-hasil-nama").textContent = d.nama || "";
    $("#cek-hasil-no").textContent = d.no_registrasi || "";
    $("#cek-hasil-status").textContent = `${TAHAP_TEKS[tahapKe(d)]}. ${teksStatus(d)}`;
  }
  $("#cek-hasil").hidden = false;
  $("#cek-judul-hasil").focus();
});

export function pasang() {
  halaman("/lupa-kata-kunci", () => {
    bersihkanGalat(formLupa);
    bersihkanGalat(formReset);
    pilihCara();
  });
  halaman("/cek-status", () => {
    if (!capCek.id) capCek.muat();
  });
  halaman("/akun/kata-kunci-baru", () => {
    const t = ambilToken();
    if (t) tokenBaru = t;
    bersihkanGalat(formBaru);
    $("button[type=submit]", formBaru).disabled = false;
    if (!tokenBaru) pesan(pesanForm(formBaru), "Tautan tidak lengkap. Buka kembali tautan dari email Anda, atau minta tautan baru melalui Lupa Kata Kunci.", "galat");
  });
  halaman("/akun/verifikasi-email", () => { verifikasi(); });
}
