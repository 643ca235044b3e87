/* daftar.js -- registration as in the tutorial: Cari (NIP) with the two
 * "klik di sini" correction reports (the email or the own session, and a
 * captcha), Lanjut (email: the flow token), the form (password with its
 * strength hint, mother's name, security question, captcha with a reload
 * button; Kembali / Registrasi) and Registrasi
 * Sukses with Cetak / Cetak Formulir. The password is kept only until the
 * automatic login right after the registration (the PDFs need a session). */
import { call, pesanGagal, sibuk } from "./api.js";
import { captcha } from "./captcha.js";
import { cetak } from "./pdf.js";
import { halaman, pergi } from "./router.js";
import {
  $, $$, bersihkanGalat, isian, kosongkanKataKunci, muatPertanyaan, pasangKekuatan, pesan, pesanForm,
  saatKirim, tampilkanGagal,
} from "./ui.js";

const st = { pns: null, email: "", token: null, captchaId: null, kunci: null, sukses: null };
let sesiPns = null;

function kunciBaru() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

function tulis(id, text) { $("#" + id).textContent = text || ""; }

// ---- Langkah 1: Cari -------------------------------------------------------------
const formCari = $("#form-cari");
const formLanjut = $("#form-lanjut");
const hasil = $("#hasil-cari");
saatKirim(formCari, "Mencari…", async (form) => {
  hasil.hidden = true;
  $("#form-koreksi").hidden = true;
  st.pns = null;
  st.token = null;
  const nip = form.elements.nip.value.replace(/\s+/g, "");
  if (!nip) {
    tampilkanGagal(form, { status: 400, data: { detail: "Isi NIP Anda.", errors: [{ field: "nip", message: "NIP harus terdiri dari 18 digit angka." }] } });
    return 0;
  }
  const r = await call("GET", "/api/v1/pns/" + encodeURIComponent(nip));
  if (!r.ok) {
    tampilkanGagal(form, r);
    if (r.status === 404) form.elements.nip.setAttribute("aria-invalid", "true");
    return 0;
  }
  st.pns = r.data;
  tulis("hasil-nip", r.data.nip);
  tulis("hasil-nama", r.data.nama);
  tulis("hasil-instansi", r.data.instansi && r.data.instansi.nama);
  tulis("hasil-unit", r.data.unit_kerja && r.data.unit_kerja.nama);
  bersihkanGalat($("#form-lanjut"));
  hasil.hidden = false;
  $("#judul-hasil").focus();
  return 0;
});
// A changed NIP forgets the PNS found for the old one.
formCari.elements.nip.addEventListener("input", () => {
  if (st.pns && formCari.elements.nip.value.trim() !== st.pns.nip) {
    hasil.hidden = true;
    st.pns = null;
  }
});

// ---- "Jika data ... terdapat kesalahan, silakan klik di sini" ---------------
// A report needs what the API checks: the flow token of step 2 for this NIP
// (the form asks for the email and gets one, as Lanjut does) or, for a PNS
// already registered, the own session; and a solved captcha.
let koreksiField = null;
const formKoreksi = $("#form-koreksi");
const blokEmail = $("[data-koreksi-email]", formKoreksi);
const capKoreksi = captcha(formKoreksi);

/* The PNS session of this tab if it is the NIP found, else null. */
function sesiUntuk(nip) {
  const s = sesiPns && sesiPns.get();
  return s && s.nip === nip ? s : null;
}
/* The email is asked for only while there is neither a token nor a session. */
function perbaruiKoreksi() {
  const cukup = !!(st.token || (st.pns && sesiUntuk(st.pns.nip)));
  blokEmail.hidden = cukup;
  formKoreksi.elements.email.disabled = cukup;
  if (!cukup && !formKoreksi.elements.email.value) formKoreksi.elements.email.value = formLanjut.elements.email.value.trim();
}
for (const a of $$("a.lapor")) {
  a.addEventListener("click", async (ev) => {
    ev.preventDefault();
    koreksiField = a.dataset.field;
    tulis("judul-koreksi", "Laporkan kesalahan data " + (koreksiField === "nama" ? "Nama" : "Instansi Kerja"));
    bersihkanGalat(formKoreksi);
    perbaruiKoreksi();
    formKoreksi.hidden = false;
    formKoreksi.elements.usulan.focus();
    if (!capKoreksi.id) await capKoreksi.muat();
  });
}
$("#tombol-batal-koreksi").addEventListener("click", () => {
  formKoreksi.hidden = true;
  $(`a.lapor[data-field="${koreksiField}"]`).focus();
});

/* Step 2 for the report: NIP + email -> st.token. false after showing why not. */
async function tokenKoreksi(form) {
  const email = form.elements.email.value.trim();
  const r = await call("POST", "/api/v1/registrasi/mulai", { body: { nip: st.pns.nip, email } });
  if (r.ok) {
    st.token = r.data.token;
    st.email = email;
    if (!formLanjut.elements.email.value) formLanjut.elements.email.value = email;
    perbaruiKoreksi();
    return true;
  }
  tampilkanGagal(form, r, { cadangan: "Email belum dapat diperiksa." });
  if (r.status === 409) { // registered already: the own session stands in for the token
    const p = pesanForm(form);
    p.append(" ");
    const a = document.createElement("a");
    a.href = "/masuk?lanjut=/daftar";
    a.textContent = "Masuk untuk mengirim laporan";
    p.append(a, ".");
  }
  return false;
}

saatKirim(formKoreksi, "Mengirim…", async (form) => {
  if (!st.pns) return 0;
  const nip = st.pns.nip;
  if (!st.token && !sesiUntuk(nip) && !(await tokenKoreksi(form))) return 0;
  if (!capKoreksi.id && !(await capKoreksi.muat())) return 0;
  const v = isian(form);
  const body = { field: koreksiField, usulan: v.usulan, catatan: v.catatan, captcha_id: capKoreksi.id,
    captcha_jawaban: v.captcha_jawaban };
  const sesi = st.token ? null : sesiUntuk(nip);
  if (st.token) body.token = st.token;
  const r = await call("POST", `/api/v1/pns/${encodeURIComponent(nip)}/koreksi`, { body, token: sesi && sesi.token });
  // A 504 may come after the captcha was checked (and so spent): a new one then too.
  if (r.status === 504) await capKoreksi.muat();
  else await capKoreksi.setelah(r);
  if (!r.ok) {
    // A token or session that no longer holds: ask for the email again.
    if (r.status === 401 || r.status === 403) {
      if (r.data.code === "perlu_login") sesiPns.keluarLokal();
      st.token = null;
      perbaruiKoreksi();
    }
    tampilkanGagal(form, r, { cadangan: "Laporan gagal dikirim." });
    return 0;
  }
  form.elements.usulan.value = "";
  form.elements.catatan.value = "";
  pesan(pesanForm(form), "Laporan diterima dan akan diperiksa verifikator. Silakan lanjutkan registrasi; hasilnya tampil di Akun Saya.", "sukses");
  return 0;
});

// ---- Langkah 2: Lanjut ------------------------------------------------------------
saatKirim(formLanjut, "Memeriksa…", async (form) => {
  if (!st.pns) return 0;
  const email = form.elements.email.value.trim();
  const r = await call("POST", "/api/v1/registrasi/mulai", { body: { nip: st.pns.nip, email } });
  if (!r.ok) {
    tampilkanGagal(form, r, { forms: [formCari] });
    if (r.status === 409) {
      const p = pesanForm(form);
      p.append(" ");
      const a = document.createElement("a");
      a.href = "/masuk";
      a.textContent = "Masuk ke Akun Saya";
      p.append(a, " atau ");
      const b = document.createElement("a");
      b.href = "/lupa-kata-kunci";
      b.textContent = "atur ulang kata kunci";
      p.append(b, ".");
    }
    return 0;
  }
  st.email = email;
  st.token = r.data.token;
  st.sukses = null;
  if (r.data.pns) st.pns = r.data.pns;
  await pergi("/daftar/formulir");
  return 0;
});

// ---- Langkah 3: formulir --------------------------------------------------------------
const formReg = $("#form-registrasi");
const gambar = $("#captcha-gambar");

async function captchaBaru() {
  const tombol = $("#captcha-baru");
  tombol.disabled = true;
  const r = await call("POST", "/api/v1/captcha");
  tombol.disabled = false;
  formReg.elements.captcha_jawaban.value = "";
  if (!r.ok) {
    st.captchaId = null;
    gambar.removeAttribute("data-id");
    pesan(pesanForm(formReg), "Kode captcha gagal dimuat. " + pesanGagal(r), sibuk(r) || r.status === 0 ? "sibuk" : "galat");
    return false;
  }
  st.captchaId = r.data.id;
  st.kunci = kunciBaru(); // one attempt per captcha: a retry of the same attempt reuses its key
  gambar.src = r.data.image;
  gambar.dataset.id = r.data.id;
  return true;
}
$("#captcha-baru").addEventListener("click", async () => {
  await captchaBaru();
  formReg.elements.captcha_jawaban.focus();
});
$("#tombol-kembali").addEventListener("click", () => pergi("/daftar"));
pasangKekuatan(formReg.elements.kata_kunci, () => (st.pns ? st.pns.nip : ""));

const SANDI = new Set(["kata_kunci", "konfirmasi_kata_kunci"]);
saatKirim(formReg, "Mengirim…", async (form) => {
  if (!st.captchaId && !(await captchaBaru())) return 0;
  const body = { token: st.token, ...isian(form), captcha_id: st.captchaId };
  const r = await call("POST", "/api/v1/registrasi", { body, headers: { "Idempotency-Key": st.kunci } });
  if (!r.ok) {
    tampilkanGagal(form, r);
    const errs = Array.isArray(r.data.errors) ? r.data.errors : [];
    if (errs.some((e) => SANDI.has(e.field))) kosongkanKataKunci(form);
    if (errs.some((e) => e.field === "token") || r.status === 409) {
      const p = pesanForm(form);
      p.append(" ");
      const a = document.createElement("a");
      a.href = r.status === 409 ? "/masuk" : "/daftar";
      a.textContent = r.status === 409 ? "Masuk ke Akun Saya" : "Ulangi dari Cari NIP";
      p.append(a);
    }
    // Every captcha is checked once; a refused form needs a new one. A busy
    // 503 did not consume it, and a 504 is retried with the same key.
    if (r.status === 400 || r.status === 409 || r.status === 429) await captchaBaru();
    return 0;
  }
  const kataKunci = form.elements.kata_kunci.value;
  kosongkanKataKunci(form);
  st.sukses = r.data;
  st.token = null;
  // The PDFs need a session: log in with the password just chosen.
  const s = await call("POST", "/api/v1/auth/login", { body: { nip: r.data.nip, kata_kunci: kataKunci } });
  if (s.ok && s.data.token) sesiPns.masuk(s.data);
  for (const el of form.elements) if (el.name && el.type !== "password" && el.tagName !== "BUTTON") el.value = "";
  await pergi("/daftar/sukses");
  return 0;
});

// ---- Langkah 4: Registrasi Sukses ----------------------------------------------
for (const btn of $$('section[data-view="/daftar/sukses"] [data-pdf]')) {
  btn.addEventListener("click", async () => {
    const el = $('section[data-view="/daftar/sukses"] [data-pesan-pdf]');
    const s = sesiPns.get();
    if (!s) {
      pesan(el, "Untuk mencetak, masuk terlebih dahulu dengan NIP dan kata kunci Anda. ", "info");
      const a = document.createElement("a");
      a.href = "/masuk?lanjut=/akun";
      a.textContent = "Masuk";
      el.append(a);
      return;
    }
    btn.disabled = true;
    const ok = await cetak(btn.dataset.pdf, st.sukses.no_registrasi, s.token, el);
    btn.disabled = false;
    if (!ok && el.textContent.includes("Sesi")) sesiPns.keluarLokal();
  });
}

/* Registers the four pages; `sesi` logs in/out (pns.js). */
export function pasang(sesi) {
  sesiPns = sesi;
  halaman("/daftar", () => {
    if (st.sukses) { // a finished registration: Register starts a new one
      Object.assign(st, { pns: null, email: "", token: null, captchaId: null, sukses: null });
      formCari.reset();
      formLanjut.reset();
      hasil.hidden = true;
    }
    if (st.pns) {
      hasil.hidden = false;
      formCari.elements.nip.value = st.pns.nip;
    }
  });
  halaman("/daftar/formulir", async () => {
    if (st.sukses) return "/daftar/sukses";
    if (!st.token || !st.pns) return "/daftar";
    tulis("formulir-nama", st.pns.nama);
    tulis("formulir-nip", st.pns.nip);
    const ok = await muatPertanyaan(call, [formReg.elements.pertanyaan_id]);
    if (!ok) pesan(pesanForm(formReg), "Daftar pertanyaan pengaman gagal dimuat. Muat ulang halaman ini beberapa saat lagi.", "sibuk");
    if (!st.captchaId) await captchaBaru();
  });
  halaman("/daftar/sukses", () => {
    if (!st.sukses) return "/daftar";
    const d = st.sukses;
    tulis("sukses-no", d.no_registrasi);
    tulis("sukses-nip", d.nip);
    tulis("sukses-nama", d.nama);
    tulis("sukses-instansi", d.instansi && d.instansi.nama);
    st.captchaId = null;
  });
}
