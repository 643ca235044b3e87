/* unit-v.js -- Verifikator 1's desk for a unit kerja: the PNS with their
 * state, filtered by state and name/NIP, with the unit's counts; marking a
 * receipt received by its typed number or its QR code (the camera through
 * BarcodeDetector where the browser has it, else a photo decoded the same
 * way, else the payload typed or sent by a keyboard-like scanner); undoing
 * a mark; building a batch of the received receipts and submitting it. */
import { halaman } from "./router.js";
import { $, el, isian, pesan, pesanForm, saatKirim, tampilkanGagal, waktu } from "./ui.js";

export const STATUS = {
  not_registered: "Belum registrasi", registered: "Terdaftar", receipt_received: "Bukti diterima",
  in_batch: "Dalam batch", accepted: "Diterima Verifikator 2",
};
export const BATCH = {
  draft: "Draf", submitted: "Menunggu pemeriksaan", returned: "Dikembalikan", accepted: "Diterima", cancelled: "Dibatalkan",
};
const HITUNG = [["total", "Semua"], ["not_registered", "Belum registrasi"], ["registered", "Terdaftar"],
  ["receipt_received", "Bukti diterima"], ["in_batch", "Dalam batch"], ["accepted", "Diterima"]];
const BATAS = 50;

let meja = null;
const st = { kode: "", status: "", q: "", offset: 0, total: 0 };
const formUnit = $("#form-pilih-unit");
const formTanda = $("#form-tanda-terima");
const formSaring = $("#form-saring");

async function muatDaftar() {
  if (!st.kode) return;
  const p = new URLSearchParams({ limit: String(BATAS), offset: String(st.offset) });
  if (st.status) p.set("status", st.status);
  if (st.q) p.set("q", st.q);
  const r = await meja.api("GET", `/api/v1/verifikator/unit-kerja/${encodeURIComponent(st.kode)}/pns?${p}`);
  if (r.status === 401) return;
  if (!r.ok) {
    const bad = r.status === 400 && Array.isArray(r.data.errors) && r.data.errors.some((e) => e.field === "q" || e.field === "status");
    tampilkanGagal(bad ? formSaring : formUnit, r);
    if (!bad) for (const id of ["unit-isi", "kartu-tanda-terima", "kartu-daftar-pns", "kartu-batch-unit"]) $("#" + id).hidden = true;
    return;
  }
  const d = r.data;
  const u = d.unit_kerja || {};
  $("#unit-nama").textContent = u.nama ? `${u.nama} (${u.kode})` : st.kode;
  $("#unit-info").textContent = [u.instansi && u.instansi.nama,
    u.aktif ? `Unit aktif sejak ${waktu(u.diaktifkan_at)}` : "Unit belum aktif",
    d.roster === false ? "Daftar lengkap unit sedang tidak tersedia: hanya PNS yang sudah registrasi yang tampil." : ""]
    .filter(Boolean).join(" · ");
  const c = d.counts || {};
  $("#unit-hitungan").replaceChildren(...HITUNG.map(([k, label]) => el("li", {}, `${label}: `, el("strong", { textContent: String(c[k] ?? 0) }))));
  st.total = d.total || 0;
  const tbody = $("#tabel-pns tbody");
  tbody.replaceChildren();
  for (const it of d.items || []) {
    const aksi = el("td");
    if (it.state === "receipt_received" && !it.batch_id) {
      const c = el("input", { type: "checkbox", value: it.nip });
      c.dataset.pilih = it.nip;
      c.setAttribute("aria-label", `Pilih ${it.nama} untuk batch`);
      aksi.append(el("label", { className: "pilihan" }, c, "Pilih"));
    }
    if (it.state === "receipt_received" && it.no_registrasi) {
      const b = el("button", { type: "button", className: "sekunder", textContent: "Batalkan" });
      b.setAttribute("aria-label", `Batalkan tanda terima ${it.nama}`);
      b.addEventListener("click", () => batalkan(it, b));
      aksi.append(b);
    }
    const status = STATUS[it.state] || it.state;
    const ket = it.batch_id ? ` (batch #${it.batch_id}${it.batch_state ? ", " + (BATCH[it.batch_state] || it.batch_state) : ""})` : "";
    tbody.append(el("tr", { dataset: { nip: it.nip } },
      el("td", { textContent: it.nip }), el("td", { textContent: it.nama }),
      el("td", {}, el("span", { className: "lencana " + (it.state === "accepted" ? "ok" : it.state === "not_registered" ? "" : "tunggu"), textContent: status }), ket),
      el("td", { className: "nomor-kecil", textContent: it.no_registrasi || "—" }), aksi));
  }
  if (!(d.items || []).length) tbody.append(el("tr", {}, el("td", { colSpan: 5, textContent: "Tidak ada PNS yang cocok dengan saringan ini." })));
  const dari = st.total ? st.offset + 1 : 0;
  const sampai = Math.min(st.offset + BATAS, st.total);
  $("#daftar-ringkas").textContent = `Menampilkan ${dari}–${sampai} dari ${st.total} PNS.`;
  $("#hal-sebelum").disabled = st.offset === 0;
  $("#hal-berikut").disabled = st.offset + BATAS >= st.total;
  $("#hal-sebelum").parentElement.hidden = st.total <= BATAS;
  for (const id of ["unit-isi", "kartu-tanda-terima", "kartu-daftar-pns", "kartu-batch-unit"]) $("#" + id).hidden = false;
}

async function batalkan(it, btn) {
  btn.disabled = true;
  const r = await meja.api("DELETE", `/api/v1/verifikator/tanda-terima/${encodeURIComponent(it.no_registrasi)}`);
  btn.disabled = false;
  if (r.status === 401) return;
  const p = pesanForm(formTanda);
  if (!r.ok) {
    tampilkanGagal(formTanda, r);
    return;
  }
  pesan(p, `Tanda terima ${it.nama} (${it.no_registrasi}) dibatalkan.`, "info");
  await Promise.all([muatDaftar(), muatBatch()]);
}

// ---- batches of this unit ------------------------------------------------------------------
async function muatBatch() {
  const box = $("#daftar-batch-unit");
  const r = await meja.api("GET", `/api/v1/verifikator/batch?unit_kerja_kode=${encodeURIComponent(st.kode)}`);
  if (r.status === 401) return;
  box.replaceChildren();
  if (!r.ok) {
    box.append(el("p", { className: "bantuan", textContent: "Daftar batch gagal dimuat." }));
    return;
  }
  const items = r.data.items || [];
  if (!items.length) {
    box.append(el("p", { className: "bantuan", textContent: "Belum ada batch untuk unit ini." }));
    return;
  }
  const tbody = el("tbody");
  for (const b of items) {
    const aksi = el("td", {}, el("a", { href: `/verifikator/batch?id=${b.id}`, textContent: "Buka" }));
    if (b.state === "draft" || b.state === "returned") {
      const k = el("button", { type: "button", textContent: "Kirim ke Verifikator 2" });
      k.dataset.kirim = String(b.id);
      k.addEventListener("click", () => kirim(b.id, k));
      aksi.append(" ", k);
    }
    tbody.append(el("tr", { dataset: { batch: String(b.id) } },
      el("td", { textContent: `#${b.id}` }),
      el("td", {}, BATCH[b.state] || b.state, b.state === "returned" && b.alasan_pengembalian ? el("small", { textContent: ` Alasan: ${b.alasan_pengembalian}` }) : null),
      el("td", { textContent: String(b.jumlah) }), el("td", { textContent: waktu(b.dikirim_at || b.dibuat_at) }), aksi));
  }
  box.append(el("div", { className: "tabel-bungkus", tabIndex: 0, attrs: { role: "region", "aria-label": "Tabel (dapat digulir)" } }, el("table", {},
    el("caption", { className: "sembunyi-visual", textContent: "Batch unit ini" }),
    el("thead", {}, el("tr", {}, ...["Batch", "Status", "Jumlah", "Waktu", "Aksi"].map((h) => el("th", { scope: "col", textContent: h })))),
    tbody)));
}

async function kirim(id, btn) {
  btn.disabled = true;
  const r = await meja.api("POST", `/api/v1/verifikator/batch/${id}/kirim`);
  btn.disabled = false;
  if (r.status === 401) return;
  const p = $("#pesan-batch-unit");
  if (!r.ok) {
    pesan(p, r.data.detail || "Batch gagal dikirim.", r.status >= 500 ? "sibuk" : "galat");
    return;
  }
  pesan(p, `Batch #${id} (${r.data.jumlah} bukti) dikirim ke Verifikator 2.`, "sukses");
  await Promise.all([muatDaftar(), muatBatch()]);
}

$("#tombol-buat-batch").addEventListener("click", async (ev) => {
  const btn = ev.currentTarget;
  const p = $("#pesan-batch-unit");
  // The receipts ticked in the list, or (none ticked) every received receipt of the unit.
  const nips = [...document.querySelectorAll("#tabel-pns input[data-pilih]:checked")].map((c) => c.value);
  const body = { unit_kerja_kode: st.kode };
  if (nips.length) body.nips = nips;
  btn.disabled = true;
  const r = await meja.api("POST", "/api/v1/verifikator/batch", { body });
  btn.disabled = false;
  if (r.status === 401) return;
  if (!r.ok) {
    pesan(p, r.data.detail || "Batch gagal dibuat.", r.status >= 500 ? "sibuk" : "galat");
    return;
  }
  pesan(p, `Batch #${r.data.id} dibuat dengan ${r.data.jumlah} bukti. Periksa lalu tekan "Kirim ke Verifikator 2".`, "sukses");
  await Promise.all([muatDaftar(), muatBatch()]);
});

// ---- marking receipts -----------------------------------------------------------------------
async function tandai(nilai) {
  const v = nilai.trim();
  const body = /^PUPNS1\./.test(v) ? { qr: v } : { no_registrasi: v };
  const r = await meja.api("POST", "/api/v1/verifikator/tanda-terima", { body });
  if (r.status === 401) return;
  const input = formTanda.elements.nomor;
  if (!r.ok) {
    // The API names the field it read (no_registrasi or qr); both show under this one input.
    tampilkanGagal(formTanda, r);
    input.setAttribute("aria-invalid", "true");
    input.focus();
    return;
  }
  const d = r.data;
  pesan(pesanForm(formTanda), d.baru
    ? `Bukti diterima: ${d.nama} (NIP ${d.nip}), No. ${d.no_registrasi}.`
    : `Sudah ditandai sebelumnya oleh ${d.diterima_oleh} pada ${waktu(d.diterima_at)}: ${d.nama} (NIP ${d.nip}).`, d.baru ? "sukses" : "info");
  input.value = "";
  input.focus();
  await muatDaftar();
}
saatKirim(formTanda, "Menandai…", async (form) => {
  if (!form.elements.nomor.value.trim()) {
    tampilkanGagal(form, { status: 400, data: { detail: "Isi nomor registrasi.", errors: [{ field: "no_registrasi", message: "Ketik nomor registrasi (8 karakter) atau pindai kode QR." }] } });
    form.elements.nomor.setAttribute("aria-invalid", "true");
    return;
  }
  await tandai(form.elements.nomor.value);
});

// QR: the camera where BarcodeDetector and getUserMedia exist.
const qrPesan = $("#qr-pesan");
let aliran = null;
let pemindai = null;
const adaDetektor = () => typeof window.BarcodeDetector === "function";

function tutupKamera() {
  clearInterval(pemindai);
  pemindai = null;
  if (aliran) for (const t of aliran.getTracks()) t.stop();
  aliran = null;
  $("#kamera-bungkus").hidden = true;
}

async function hasilQr(teks) {
  tutupKamera();
  formTanda.elements.nomor.value = teks;
  pesan(qrPesan, "Kode QR terbaca.", "info");
  await tandai(teks);
}

$("#tombol-kamera").addEventListener("click", async () => {
  if (!adaDetektor() || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    pesan(qrPesan, "Browser ini tidak dapat memindai QR dengan kamera. Gunakan \"Pindai dari foto\", pemindai QR, atau ketik nomor registrasi.", "info");
    return;
  }
  let det;
  try {
    det = new window.BarcodeDetector({ formats: ["qr_code"] });
    aliran = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch {
    tutupKamera();
    pesan(qrPesan, "Kamera tidak dapat dibuka (izin ditolak atau tidak ada kamera). Gunakan \"Pindai dari foto\" atau ketik nomor registrasi.", "galat");
    return;
  }
  const video = $("#kamera");
  video.srcObject = aliran;
  $("#kamera-bungkus").hidden = false;
  await video.play().catch(() => {});
  pesan(qrPesan, "Arahkan kamera ke kode QR pada bukti registrasi.", "info");
  pemindai = setInterval(async () => {
    try {
      const found = await det.detect(video);
      if (found.length && found[0].rawValue) await hasilQr(found[0].rawValue);
    } catch { /* the next frame */ }
  }, 300);
});
$("#tombol-kamera-tutup").addEventListener("click", () => { tutupKamera(); pesan(qrPesan, ""); });

$("#qr-foto").addEventListener("change", async (ev) => {
  const file = ev.target.files && ev.target.files[0];
  ev.target.value = "";
  if (!file) return;
  if (!adaDetektor()) {
    pesan(qrPesan, "Browser ini tidak dapat membaca QR dari foto. Ketik nomor registrasi yang tertera di bukti.", "info");
    return;
  }
  try {
    const det = new window.BarcodeDetector({ formats: ["qr_code"] });
    const bmp = await createImageBitmap(file);
    const found = await det.detect(bmp);
    if (!found.length) {
      pesan(qrPesan, "Tidak ada kode QR yang terbaca di foto ini. Coba foto yang lebih dekat dan terang, atau ketik nomornya.", "galat");
      return;
    }
    await hasilQr(found[0].rawValue);
  } catch {
    pesan(qrPesan, "Foto tidak dapat dibaca. Ketik nomor registrasi yang tertera di bukti.", "galat");
  }
});

// ---- choosing the unit, filters, pages -------------------------------------------------------
async function bukaUnit(kode) {
  st.kode = kode;
  st.offset = 0;
  formUnit.elements.kode.value = kode;
  if (new URLSearchParams(location.search).get("kode") !== kode) history.replaceState(null, "", `/verifikator/unit?kode=${encodeURIComponent(kode)}`);
  await Promise.all([muatDaftar(), muatBatch()]);
}
saatKirim(formUnit, "Memuat…", async (form) => {
  const kode = form.elements.kode.value.trim();
  if (!kode) {
    tampilkanGagal(form, { status: 400, data: { detail: "Pilih unit kerja.", errors: [{ field: "kode", message: "Isi kode unit kerja." }] } });
    return;
  }
  await bukaUnit(kode);
});
$("#unit-pilih").addEventListener("change", (ev) => bukaUnit(ev.target.value));
saatKirim(formSaring, "Menyaring…", async (form) => {
  const v = isian(form);
  st.q = v.q;
  st.status = v.status;
  st.offset = 0;
  await muatDaftar();
});
$("#hal-sebelum").addEventListener("click", () => { st.offset = Math.max(0, st.offset - BATAS); muatDaftar(); });
$("#hal-berikut").addEventListener("click", () => { st.offset += BATAS; muatDaftar(); });

export function pasang(m) {
  meja = m;
  halaman("/verifikator/unit", () => {
    const lain = m.perlu();
    if (lain) return lain;
    tutupKamera();
    const akun = m.get().akun;
    const units = akun.unit_kerja || [];
    const pilih = $("#unit-pilih");
    pilih.hidden = units.length < 2;
    formUnit.elements.kode.hidden = akun.peran === "verifikator1" && units.length > 0;
    formUnit.hidden = akun.peran === "verifikator1" && units.length === 1;
    $("#unit-label").htmlFor = formUnit.elements.kode.hidden ? "unit-pilih" : "unit-kode";
    if (pilih.options.length !== units.length) pilih.replaceChildren(...units.map((u) => new Option(u, u)));
    const kode = new URLSearchParams(location.search).get("kode") || (akun.peran === "verifikator1" ? units[0] : "") || "";
    if (kode) {
      pilih.value = kode;
      bukaUnit(kode);
    }
    return undefined;
  });
  window.addEventListener("popstate", tutupKamera);
}
