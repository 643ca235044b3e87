/* pns.js -- the PNS portal's entry: the session of this tab, the menu
 * (Register / Login / Helpdesk, or Akun Saya / Keluar), Login, and every
 * page's registration with the router. The pages themselves: daftar.js
 * (registration), akun.js (Akun Saya), pemulihan.js (lupa kata kunci,
 * mail links, cek status). Paths: the same list as static_files.c. */
import { call } from "./api.js";
import * as akun from "./akun.js";
import { captcha } from "./captcha.js";
import * as daftar from "./daftar.js";
import * as pemulihan from "./pemulihan.js";
import { halaman, mulai, pergi } from "./router.js";
import { sesi } from "./sesi.js";
import { $, $$, kosongkanKataKunci, pesan, saatKirim, tampilkanGagal } from "./ui.js";

const store = sesi("pns");

function perbaruiMenu() {
  const masuk = !!store.get();
  for (const el of $$("[data-tamu]")) el.hidden = masuk;
  for (const el of $$("[data-anggota]")) el.hidden = !masuk;
}

const sesiPns = {
  get: () => store.get(),
  masuk(data) {
    store.set(data.token, { nip: data.nip }, data.expires_in || 0);
    perbaruiMenu();
  },
  /* The server said the session is over (401): forget it here too. */
  keluarLokal() {
    store.clear();
    perbaruiMenu();
  },
};

$("#tombol-keluar").addEventListener("click", async () => {
  const s = store.get();
  if (s) {
    const r = await call("POST", "/api/v1/auth/logout", { token: s.token });
    // 204 revoked; 401 already over. Anything else: the session still stands.
    if (r.status !== 204 && r.status !== 401) {
      pesan($("#pesan-global"), "Gagal keluar. Periksa koneksi Anda dan coba lagi.", "galat");
      return;
    }
  }
  pesan($("#pesan-global"), "");
  sesiPns.keluarLokal();
  await pergi("/");
  pesan($("#pesan-global"), "Anda telah keluar.", "info");
});

/* A ?lanjut= target inside the portal, else Akun Saya. */
function lanjutan() {
  const t = new URLSearchParams(location.search).get("lanjut") || "";
  return /^\/[a-z0-9/-]*$/.test(t) && !t.startsWith("//") ? t : "/akun";
}

// Login; after repeated failures for a NIP the API wants a solved captcha
// too (401 captcha_wajib): the form then shows one.
const formMasuk = $("#form-masuk");
const blokCaptcha = $("[data-captcha-blok]", formMasuk);
const capMasuk = captcha(formMasuk);
saatKirim(formMasuk, "Memeriksa…", async (form) => {
  const body = { nip: form.elements.nip.value.trim(), kata_kunci: form.elements.kata_kunci.value };
  if (!blokCaptcha.hidden && capMasuk.id) {
    body.captcha_id = capMasuk.id;
    body.captcha_jawaban = form.elements.captcha_jawaban.value.trim();
  }
  const r = await call("POST", "/api/v1/auth/login", { body });
  kosongkanKataKunci(form);
  if (!r.ok) {
    const perlu = r.data && (r.data.captcha_wajib === true || r.data.code === "captcha_wajib");
    // A captcha is used up by its check: a refused attempt that needs one gets a new one.
    if (perlu || (!blokCaptcha.hidden && body.captcha_id)) {
      blokCaptcha.hidden = false;
      await capMasuk.muat();
    }
    tampilkanGagal(form, r, { cadangan: "Gagal masuk." });
    return 0;
  }
  blokCaptcha.hidden = true;
  sesiPns.masuk(r.data);
  await pergi(lanjutan());
  return 0;
});

// Clears the page-wide message when the page changes.
window.addEventListener("popstate", () => pesan($("#pesan-global"), ""));
document.addEventListener("click", (ev) => {
  if (ev.target.closest && ev.target.closest("a[href]")) pesan($("#pesan-global"), "");
});

halaman("/");
halaman("/bantuan");
halaman("/masuk", () => (store.get() ? lanjutan() : undefined));
daftar.pasang(sesiPns);
akun.pasang(sesiPns);
pemulihan.pasang(sesiPns);
perbaruiMenu();
mulai();
