/* akun.js -- Akun Saya, with the bearer session: own data and No.
 * Registrasi, the status as the verifiers see it, Cetak / Cetak Formulir,
 * the e-mail address (verified or not, a new link, a new address), the
 * password change, and the outcome of the PNS's correction reports. */
import { call, pesanGagal, sibuk } from "./api.js";
import { cetak } from "./pdf.js";
import { halaman, pergi } from "./router.js";
import { tandai, teksStatus } from "./status.js";
import { $, $$, isian, kosongkanKataKunci, pasangKekuatan, pesan, pesanForm, saatKirim, tampilkanGagal } from "./ui.js";

let sesiPns = null;
let akun = null;
const view = $('section[data-view="/akun"]');
const pesanAkun = $("[data-pesan-akun]", view);

function tulis(id, text) { $("#" + id).textContent = text || ""; }

/* A 401 on any call of this page: the session is over. */
async function sesiBerakhir() {
  sesiPns.keluarLokal();
  await pergi("/masuk?lanjut=/akun", { replace: true });
  pesan($("#pesan-global"), "Sesi Anda telah berakhir. Silakan masuk kembali.", "info");
}

function tampilkanEmail() {
  tulis("akun-email", akun.email);
  const lencana = $("#akun-email-status");
  lencana.textContent = akun.email_terverifikasi ? "Terverifikasi" : "Belum terverifikasi";
  lencana.className = "lencana " + (akun.email_terverifikasi ? "ok" : "tunggu");
  $("#tombol-kirim-ulang").hidden = !!akun.email_terverifikasi;
}

const BIDANG = { nama: "Nama", instansi: "Instansi" };
const HASIL = { open: ["Sedang diperiksa", "tunggu"], accepted: ["Diterima", "ok"], rejected: ["Ditolak", "tolak"] };

async function muatKoreksi(s) {
  const box = $("#akun-koreksi");
  const r = await call("GET", `/api/v1/pns/${encodeURIComponent(s.nip)}/koreksi`, { token: s.token });
  box.replaceChildren();
  const p = (text, cls = "bantuan") => Object.assign(document.createElement("p"), { className: cls, textContent: text });
  if (r.status === 401) return sesiBerakhir();
  if (!r.ok || !Array.isArray(r.data.koreksi)) {
    box.append(p(r.status === 404 ? "Daftar laporan koreksi belum tersedia." : "Daftar laporan koreksi gagal dimuat. Coba lagi nanti."));
    return;
  }
  if (!r.data.koreksi.length) {
    box.append(p("Anda belum pernah melaporkan kesalahan data."));
    return;
  }
  const ul = document.createElement("ul");
  ul.className = "koreksi";
  for (const k of r.data.koreksi) {
    const li = document.createElement("li");
    const [label, cls] = HASIL[k.status] || [k.status, ""];
    const b = Object.assign(document.createElement("span"), { className: "lencana " + cls, textContent: label });
    const t = document.createElement("span");
    t.textContent = ` ${BIDANG[k.field] || k.field}: "${k.nilai_lama}" → "${k.usulan}"`;
    li.append(b, t);
    if (k.alasan) li.append(p("Alasan: " + k.alasan));
    ul.append(li);
  }
  box.append(ul);
}

async function muat() {
  const s = sesiPns.get();
  // Nothing of an earlier account of this tab stays on screen while loading.
  for (const id of ["akun-nip", "akun-nama", "akun-instansi", "akun-unit", "akun-no", "akun-status-teks", "akun-email"]) tulis(id, "");
  akun = null;
  pesan(pesanAkun, "Memuat data akun…", "info");
  const r = await call("GET", "/api/v1/akun", { token: s.token });
  if (r.status === 401) return sesiBerakhir();
  if (!r.ok) {
    pesan(pesanAkun, r.status === 404 && r.data.code === "tidak_ditemukan"
      ? "Halaman akun belum tersedia di server ini." : (r.data.detail || "Data akun gagal dimuat.") + " Muat ulang halaman ini untuk mencoba lagi.",
    r.status >= 500 || r.status === 429 ? "sibuk" : "galat");
    return;
  }
  pesan(pesanAkun, "");
  akun = r.data;
  tulis("akun-nip", akun.nip);
  tulis("akun-nama", akun.nama);
  tulis("akun-instansi", akun.instansi && akun.instansi.nama);
  tulis("akun-unit", akun.unit_kerja && akun.unit_kerja.nama);
  tulis("akun-no", akun.no_registrasi);
  tandai($("#akun-status"), akun);
  tulis("akun-status-teks", teksStatus(akun) +
    (akun.status_sumber === "registrasi" ? " (Status dari verifikator belum dapat dibaca saat ini.)" : ""));
  tampilkanEmail();
  await muatKoreksi(s);
}

for (const btn of $$("[data-pdf]", view)) {
  btn.addEventListener("click", async () => {
    const s = sesiPns.get();
    const el = $("[data-pesan-pdf]", view);
    if (!s) return sesiBerakhir();
    if (!akun) return;
    btn.disabled = true;
    await cetak(btn.dataset.pdf, akun.no_registrasi, s.token, el);
    btn.disabled = false;
  });
}

$("#tombol-kirim-ulang").addEventListener("click", async (ev) => {
  const s = sesiPns.get();
  const el = $("[data-pesan-email]", view);
  ev.target.disabled = true;
  const r = await call("POST", "/api/v1/akun/email/kirim-ulang", { token: s.token });
  ev.target.disabled = false;
  if (r.status === 401) return sesiBerakhir();
  if (!r.ok) {
    const dikenal = r.data.code === "terlalu_cepat" || r.data.code === "email_sudah_terverifikasi";
    pesan(el, dikenal ? r.data.detail : pesanGagal(r), r.status === 409 ? "info" : dikenal || sibuk(r) ? "sibuk" : "galat");
    return;
  }
  pesan(el, r.data.pesan || "Tautan verifikasi telah dikirim.", "sukses");
});

const formEmail = $("#form-ganti-email");
saatKirim(formEmail, "Menyimpan…", async (form) => {
  const s = sesiPns.get();
  const r = await call("POST", "/api/v1/akun/email", { token: s.token, body: isian(form) });
  if (r.status === 401) return sesiBerakhir();
  if (!r.ok) {
    tampilkanGagal(form, r);
    return;
  }
  if (akun) {
    akun.email = r.data.email;
    akun.email_terverifikasi = !!r.data.email_terverifikasi;
    tampilkanEmail();
  }
  form.elements.email.value = "";
  pesan(pesanForm(form), r.data.pesan || "Alamat email diganti.", "sukses");
});

const formSandi = $("#form-ganti-kata-kunci");
pasangKekuatan(formSandi.elements.kata_kunci, () => (akun ? akun.nip : ""));
saatKirim(formSandi, "Menyimpan…", async (form) => {
  const s = sesiPns.get();
  const r = await call("POST", "/api/v1/akun/kata-kunci", { token: s.token, body: isian(form) });
  kosongkanKataKunci(form);
  if (r.status === 401) return sesiBerakhir();
  if (!r.ok) {
    tampilkanGagal(form, r);
    return;
  }
  pesan(pesanForm(form), r.data.pesan || "Kata kunci berhasil diganti.", "sukses");
});

export function pasang(sesi) {
  sesiPns = sesi;
  halaman("/akun", () => {
    const s = sesi.get();
    if (!s) return "/masuk?lanjut=/akun";
    if (s.nip) formSandi.elements.username.value = s.nip;
    muat();
    return undefined;
  });
}
