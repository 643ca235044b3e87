/* verifikator.js -- the verifier desks' entry: login, the session of this
 * tab, the menu by role, and the pages: unit kerja (Verifikator 1: list
 * with filters and counts, marking receipts, batches; unit-v1.js), batches
 * (Verifikator 2 reviews, accepts or returns with a reason; batch-v.js),
 * correction reports and the audit log (lain-v.js). */
import { call } from "./api.js";
import * as batch from "./batch-v.js";
import * as lain from "./lain-v.js";
import { halaman, mulai, pergi } from "./router.js";
import { sesi } from "./sesi.js";
import { $, $$, isian, kosongkanKataKunci, pesan, saatKirim, tampilkanGagal } from "./ui.js";
import * as unit from "./unit-v.js";

const store = sesi("verifikator");
const PERAN = { verifikator1: "Verifikator 1", verifikator2: "Verifikator 2", admin: "Admin" };
const AWAL = { verifikator1: "/verifikator/unit", verifikator2: "/verifikator/batch", admin: "/verifikator/audit" };

function perbaruiMenu() {
  const s = store.get();
  const peran = s ? s.akun.peran : "";
  for (const li of $$("[data-peran]")) {
    const untuk = li.dataset.peran.split(/\s+/).filter(Boolean);
    li.hidden = untuk.length ? !untuk.includes(peran) : false;
  }
  const siapa = $("#v-siapa");
  siapa.hidden = !s;
  if (s) siapa.textContent = `Masuk sebagai ${s.akun.nama} (${s.akun.username}), ${PERAN[peran] || peran}` +
    (s.akun.bkd ? ` · ${s.akun.bkd}` : "");
}

/* The desk's session and the shared handling of a 401 on any of its calls. */
const meja = {
  get: () => store.get(),
  async api(method, path, opts = {}) {
    const s = store.get();
    const r = await call(method, path, { ...opts, token: s && s.token });
    if (r.status === 401) {
      store.clear();
      perbaruiMenu();
      await pergi("/verifikator", { replace: true });
      pesan($("#pesan-global"), "Sesi Anda telah berakhir. Silakan masuk kembali.", "info");
    }
    return r;
  },
  perlu(peranList) {
    const s = store.get();
    if (!s) return "/verifikator";
    if (peranList && !peranList.includes(s.akun.peran)) return AWAL[s.akun.peran] || "/verifikator";
    return undefined;
  },
};

saatKirim($("#form-v-masuk"), "Memeriksa…", async (form) => {
  const r = await call("POST", "/api/v1/verifikator/login", { body: isian(form) });
  kosongkanKataKunci(form);
  if (!r.ok) {
    tampilkanGagal(form, r, { cadangan: "Gagal masuk." });
    return;
  }
  store.set(r.data.token, { akun: r.data.akun }, r.data.expires_in || 0);
  perbaruiMenu();
  await pergi(AWAL[r.data.akun.peran] || "/verifikator/unit");
});

$("#v-keluar").addEventListener("click", async () => {
  const s = store.get();
  if (s) {
    const r = await call("POST", "/api/v1/verifikator/logout", { token: s.token });
    if (r.status !== 204 && r.status !== 401) {
      pesan($("#pesan-global"), "Gagal keluar. Periksa koneksi Anda dan coba lagi.", "galat");
      return;
    }
  }
  store.clear();
  perbaruiMenu();
  await pergi("/verifikator");
  pesan($("#pesan-global"), "Anda telah keluar.", "info");
});
document.addEventListener("click", (ev) => {
  if (ev.target.closest && ev.target.closest("nav a[href]")) pesan($("#pesan-global"), "");
});

halaman("/verifikator", () => {
  const s = store.get();
  return s ? AWAL[s.akun.peran] : undefined;
});
unit.pasang(meja);
batch.pasang(meja);
lain.pasang(meja);
perbaruiMenu();
mulai();
