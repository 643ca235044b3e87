/* app.js -- the e-PUPNS portal: talks only to /api/v1 and shows the API's
 * own Indonesian messages (problem+json "detail"). */
"use strict";

const api = {
  async call(method, path, body) {
    const opts = { method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, opts);
    } catch (e) {
      return { ok: false, status: 0, data: { detail: "Tidak dapat terhubung ke server. Periksa koneksi Anda." } };
    }
    let data = {};
    try { data = await res.json(); } catch (e) { /* empty body */ }
    return { ok: res.ok, status: res.status, data };
  },
};

function show(el, text, kind) {
  el.textContent = text || "";
  el.className = "pesan" + (kind ? " " + kind : "");
}

// The registration in progress: NIP found at step 1, flow token, captcha.
const state = { nip: null, token: null, captchaId: null };

const formCari = document.getElementById("form-cari");
formCari.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const nip = document.getElementById("nip").value.trim();
  const pesan = document.getElementById("pesan-cari");
  const hasil = document.getElementById("hasil-cari");
  // A new search forgets the previous PNS entirely.
  hasil.hidden = true;
  document.getElementById("form-lanjut").hidden = true;
  document.getElementById("form-koreksi").hidden = true;
  state.nip = null;
  if (!/^[0-9]{18}$/.test(nip)) {
    show(pesan, "NIP harus terdiri dari 18 digit angka.", "galat");
    return;
  }
  show(pesan, "Mencari…");
  const r = await api.call("GET", "/api/v1/pns/" + encodeURIComponent(nip));
  if (!r.ok) {
    show(pesan, r.data.detail || "Terjadi kesalahan. Silakan coba lagi.", "galat");
    return;
  }
  show(pesan, "");
  document.getElementById("hasil-nip").textContent = r.data.nip;
  document.getElementById("hasil-nama").textContent = r.data.nama;
  document.getElementById("hasil-instansi").textContent = r.data.instansi.nama;
  document.getElementById("hasil-unit").textContent = r.data.unit_kerja.nama;
  hasil.hidden = false;
  state.nip = r.data.nip;
  document.getElementById("form-lanjut").hidden = false;
  document.getElementById("email").focus();
});

document.getElementById("form-lanjut").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const pesan = document.getElementById("pesan-lanjut");
  const email = document.getElementById("email").value.trim();
  show(pesan, "Memeriksa…");
  const r = await api.call("POST", "/api/v1/registrasi/mulai", { nip: state.nip, email });
  if (!r.ok) {
    const errs = (r.data.errors || []).map((e) => e.message).join(" ");
    show(pesan, errs || r.data.detail || "Terjadi kesalahan. Silakan coba lagi.", "galat");
    return;
  }
  show(pesan, "");
  state.token = r.data.token;
  document.getElementById("langkah-cari").hidden = true;
  document.getElementById("langkah-registrasi").hidden = false;
  await loadQuestions();
  await newCaptcha();
});

async function loadQuestions() {
  const sel = document.getElementById("pertanyaan_id");
  if (sel.options.length > 1) return; // loaded before; a failed load is tried again
  const r = await api.call("GET", "/api/v1/pertanyaan-pengaman");
  sel.replaceChildren(new Option("— pilih pertanyaan —", ""));
  (r.ok ? r.data : []).forEach((q) => sel.append(new Option(q.teks, String(q.id))));
}

async function newCaptcha() {
  const r = await api.call("POST", "/api/v1/captcha");
  const img = document.getElementById("captcha-gambar");
  if (!r.ok) {
    show(document.getElementById("pesan-registrasi"), r.data.detail || "Gagal memuat kode.", "galat");
    return;
  }
  state.captchaId = r.data.id;
  img.src = r.data.image;
  document.getElementById("captcha_jawaban").value = "";
}
document.getElementById("captcha-baru").addEventListener("click", newCaptcha);

document.getElementById("tombol-kembali").addEventListener("click", () => {
  document.getElementById("langkah-registrasi").hidden = true;
  document.getElementById("langkah-cari").hidden = false;
});

function clearFieldErrors() {
  document.querySelectorAll(".galat-isian").forEach((p) => { p.textContent = ""; });
}

document.getElementById("form-registrasi").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  clearFieldErrors();
  const pesan = document.getElementById("pesan-registrasi");
  const tombol = document.getElementById("tombol-registrasi");
  const v = (id) => document.getElementById(id).value;
  const body = {
    token: state.token,
    kata_kunci: v("kata_kunci"),
    konfirmasi_kata_kunci: v("konfirmasi_kata_kunci"),
    nama_ibu_kandung: v("nama_ibu_kandung"),
    pertanyaan_id: parseInt(v("pertanyaan_id"), 10) || 0,
    jawaban: v("jawaban"),
    captcha_id: state.captchaId,
    captcha_jawaban: v("captcha_jawaban"),
  };
  tombol.disabled = true;
  show(pesan, "Mengirim…");
  const r = await api.call("POST", "/api/v1/registrasi", body);
  tombol.disabled = false;
  if (!r.ok) {
    (r.data.errors || []).forEach((e) => {
      const p = document.querySelector('.galat-isian[data-untuk="' + e.field + '"]');
      if (p) p.textContent = e.message;
    });
    show(pesan, r.data.detail || "Terjadi kesalahan. Silakan coba lagi.", "galat");
    await newCaptcha(); // every captcha is single-use
    return;
  }
  show(pesan, "");
  document.getElementById("sukses-no").textContent = r.data.no_registrasi;
  document.getElementById("sukses-nip").textContent = r.data.nip;
  document.getElementById("sukses-nama").textContent = r.data.nama;
  document.getElementById("sukses-instansi").textContent = r.data.instansi.nama;
  document.getElementById("langkah-registrasi").hidden = true;
  document.getElementById("langkah-sukses").hidden = false;
});

// Correction reports: "Jika data Nama / Instansi terdapat kesalahan".
let koreksiField = null;
document.querySelectorAll("a.lapor").forEach((a) => a.addEventListener("click", (ev) => {
  ev.preventDefault();
  koreksiField = a.dataset.field;
  document.getElementById("judul-koreksi").textContent =
    "Laporkan kesalahan data " + (koreksiField === "nama" ? "Nama" : "Instansi Kerja");
  show(document.getElementById("pesan-koreksi"), "");
  document.getElementById("form-koreksi").hidden = false;
  document.getElementById("usulan").focus();
}));

document.getElementById("form-koreksi").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const pesan = document.getElementById("pesan-koreksi");
  const r = await api.call("POST", "/api/v1/pns/" + encodeURIComponent(state.nip) + "/koreksi", {
    field: koreksiField,
    usulan: document.getElementById("usulan").value.trim(),
    catatan: document.getElementById("catatan").value.trim(),
  });
  if (!r.ok) {
    const errs = (r.data.errors || []).map((e) => e.message).join(" ");
    show(pesan, errs || r.data.detail || "Laporan gagal dikirim.", "galat");
    return;
  }
  show(pesan, "Laporan diterima dan akan diperiksa. Silakan lanjutkan registrasi.", "sukses");
});

// Login for registered PNS; the session token lives only in this page.
const sesi = { token: null };
document.getElementById("form-login").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const pesan = document.getElementById("pesan-login");
  const nip = document.getElementById("login-nip").value.trim();
  const r = await api.call("POST", "/api/v1/auth/login", {
    nip, kata_kunci: document.getElementById("login-kata-kunci").value,
  });
  document.getElementById("login-kata-kunci").value = "";
  if (!r.ok) {
    show(pesan, r.data.detail || "Gagal masuk.", "galat");
    return;
  }
  show(pesan, "");
  sesi.token = r.data.token;
  document.getElementById("akun-nip").textContent = r.data.nip;
  document.getElementById("form-login").hidden = true;
  document.getElementById("akun").hidden = false;
});

document.getElementById("tombol-keluar").addEventListener("click", async () => {
  const pesan = document.getElementById("pesan-login");
  let res = null;
  try {
    res = await fetch("/api/v1/auth/logout", { method: "POST", headers: { Authorization: "Bearer " + sesi.token } });
  } catch (e) { /* network error: handled below */ }
  // 204: revoked; 401: the session had already ended. Anything else: still open.
  if (!res || (res.status !== 204 && res.status !== 401)) {
    show(pesan, "Gagal keluar. Periksa koneksi Anda dan coba lagi.", "galat");
    return;
  }
  show(pesan, "");
  sesi.token = null;
  document.getElementById("akun").hidden = true;
  document.getElementById("form-login").hidden = false;
});
