/* batch-v.js -- batches: the list in the caller's scope (Verifikator 2's
 * queue is the submitted ones), one batch with its receipts, and what the
 * caller's role may do with it: Verifikator 2 accepts it or returns it with
 * a reason; Verifikator 1 adds the new receipts to a draft or returned
 * batch, submits it, or cancels it. /verifikator/batch?id=N opens one. */
import { halaman } from "./router.js";
import { $, el, isian, pesan, pesanForm, saatKirim, tampilkanGagal, waktu } from "./ui.js";
import { BATCH } from "./unit-v.js";

let meja = null;
let kini = null; // the batch shown
const formSaring = $("#form-saring-batch");
const formKembali = $("#form-kembalikan");
const pesanBatch = $("#pesan-batch");

async function muatDaftar() {
  const v = isian(formSaring);
  const p = new URLSearchParams();
  if (v.status) p.set("status", v.status);
  if (v.unit_kerja_kode) p.set("unit_kerja_kode", v.unit_kerja_kode);
  const r = await meja.api("GET", `/api/v1/verifikator/batch?${p}`);
  if (r.status === 401) return;
  const box = $("#daftar-batch");
  box.replaceChildren();
  if (!r.ok) {
    tampilkanGagal(formSaring, r);
    return;
  }
  const items = r.data.items || [];
  $("#batch-ringkas").textContent = `${r.data.total ?? items.length} batch.`;
  if (!items.length) {
    box.append(el("p", { className: "bantuan", textContent: "Tidak ada batch dengan status ini." }));
    return;
  }
  const tbody = el("tbody");
  for (const b of items) {
    const buka = el("button", { type: "button", className: "sekunder", textContent: "Periksa" });
    buka.setAttribute("aria-label", `Periksa batch #${b.id}`);
    buka.addEventListener("click", () => bukaBatch(b.id));
    tbody.append(el("tr", { dataset: { batch: String(b.id) } },
      el("td", { textContent: `#${b.id}` }),
      el("td", { textContent: b.unit_kerja ? `${b.unit_kerja.nama} (${b.unit_kerja.kode})` : "" }),
      el("td", { textContent: BATCH[b.state] || b.state }),
      el("td", { textContent: String(b.jumlah) }),
      el("td", { textContent: waktu(b.dikirim_at || b.dibuat_at) }),
      el("td", {}, buka)));
  }
  box.append(el("div", { className: "tabel-bungkus", tabIndex: 0, attrs: { role: "region", "aria-label": "Tabel (dapat digulir)" } }, el("table", {},
    el("caption", { className: "sembunyi-visual", textContent: "Daftar batch" }),
    el("thead", {}, el("tr", {}, ...["Batch", "Unit kerja", "Status", "Jumlah", "Waktu", "Aksi"].map((h) => el("th", { scope: "col", textContent: h })))),
    tbody)));
}

function baris(dt, dd) {
  return [el("dt", { textContent: dt }), el("dd", { textContent: dd || "—" })];
}

function tampilkanBatch(b) {
  kini = b;
  const peran = meja.get().akun.peran;
  $("#kartu-batch-detail").hidden = false;
  $("#batch-judul").textContent = `Batch #${b.id} · ${BATCH[b.state] || b.state}`;
  $("#batch-data").replaceChildren(
    ...baris("Unit kerja", b.unit_kerja && `${b.unit_kerja.nama} (${b.unit_kerja.kode})`),
    ...baris("Instansi", b.instansi && b.instansi.nama),
    ...baris("Jumlah bukti", String(b.jumlah)),
    ...baris("Dibuat", `${waktu(b.dibuat_at)}${b.dibuat_oleh ? " oleh " + b.dibuat_oleh : ""}`),
    ...baris("Dikirim", b.dikirim_at ? `${waktu(b.dikirim_at)}${b.pengiriman > 1 ? ` (pengiriman ke-${b.pengiriman})` : ""}` : ""),
    ...baris("Diputuskan", b.diputuskan_at ? `${waktu(b.diputuskan_at)} oleh ${b.diputuskan_oleh}` : ""),
    ...(b.alasan_pengembalian ? baris(b.state === "returned" ? "Alasan pengembalian" : "Alasan pengembalian terakhir", b.alasan_pengembalian) : []),
    ...(b.unit_aktif !== undefined ? baris("Unit kerja aktif", b.unit_aktif ? "Ya" : "Belum") : []));
  const tbody = $("#tabel-batch tbody");
  tbody.replaceChildren(...(b.items || []).map((it) => el("tr", {},
    el("td", { textContent: it.nip }), el("td", { textContent: it.nama }), el("td", { textContent: it.no_registrasi }))));
  $("#batch-aksi-v2").hidden = !(b.state === "submitted" && (peran === "verifikator2" || peran === "admin"));
  $("#batch-aksi-v1").hidden = !((b.state === "draft" || b.state === "returned") && peran !== "verifikator2");
  formKembali.elements.alasan.value = "";
  pesan(pesanForm(formKembali), "");
}

async function bukaBatch(id, fokus = true) {
  const r = await meja.api("GET", `/api/v1/verifikator/batch/${encodeURIComponent(id)}`);
  if (r.status === 401) return;
  if (!r.ok) {
    pesan(pesanBatch, r.data.detail || "Batch gagal dimuat.", r.status >= 500 ? "sibuk" : "galat");
    $("#kartu-batch-detail").hidden = false;
    return;
  }
  pesan(pesanBatch, "");
  tampilkanBatch(r.data);
  if (new URLSearchParams(location.search).get("id") !== String(id)) history.replaceState(null, "", `/verifikator/batch?id=${id}`);
  if (fokus) $("#batch-judul").focus();
}

/* An action on the shown batch; its answer is the batch again. */
async function aksi(btn, jalur, body, berhasil) {
  btn.disabled = true;
  const r = await meja.api("POST", `/api/v1/verifikator/batch/${kini.id}/${jalur}`, body ? { body } : {});
  btn.disabled = false;
  if (r.status === 401) return null;
  if (!r.ok) {
    pesan(pesanBatch, r.data.detail || "Tindakan gagal.", r.status >= 500 ? "sibuk" : "galat");
    return null;
  }
  tampilkanBatch({ ...kini, ...r.data, items: r.data.items || kini.items });
  pesan(pesanBatch, berhasil(r.data), "sukses");
  $("#batch-judul").focus();
  await muatDaftar();
  return r;
}

$("#tombol-terima-batch").addEventListener("click", (ev) => aksi(ev.currentTarget, "terima", null,
  (d) => `Batch #${d.id} diterima.` + (d.unit_diaktifkan ? " Unit kerja kini aktif: PNS-nya dapat memulai pemutakhiran data." : "")));
$("#tombol-kirim-batch").addEventListener("click", (ev) => aksi(ev.currentTarget, "kirim", null,
  (d) => `Batch #${d.id} dikirim ke Verifikator 2.`));
$("#tombol-batal-batch").addEventListener("click", (ev) => aksi(ev.currentTarget, "batal", null,
  (d) => `Batch #${d.id} dibatalkan; bukti di dalamnya dapat dimasukkan ke batch lain.`));
$("#tombol-tambah-batch").addEventListener("click", (ev) => aksi(ev.currentTarget, "ubah", { tambah_semua: true },
  (d) => `${d.ditambah ?? 0} bukti ditambahkan; batch kini berisi ${d.jumlah} bukti.`));

saatKirim(formKembali, "Mengembalikan…", async (form) => {
  const r = await meja.api("POST", `/api/v1/verifikator/batch/${kini.id}/kembalikan`, { body: isian(form) });
  if (r.status === 401) return;
  if (!r.ok) {
    tampilkanGagal(form, r);
    return;
  }
  tampilkanBatch({ ...kini, ...r.data, items: r.data.items || kini.items });
  pesan(pesanBatch, `Batch #${r.data.id} dikembalikan ke Verifikator 1.`, "sukses");
  $("#batch-judul").focus();
  await muatDaftar();
});

saatKirim(formSaring, "Memuat…", () => muatDaftar());

export function pasang(m) {
  meja = m;
  halaman("/verifikator/batch", () => {
    const lain = m.perlu();
    if (lain) return lain;
    const peran = m.get().akun.peran;
    // Verifikator 2 starts at its queue, the others at every open batch.
    if (!formSaring.dataset.siap) {
      formSaring.elements.status.value = peran === "verifikator2" ? "submitted" : "";
      formSaring.dataset.siap = "1";
    }
    $("#kartu-batch-detail").hidden = true;
    muatDaftar();
    const id = new URLSearchParams(location.search).get("id");
    if (id && /^[0-9]+$/.test(id)) bukaBatch(id, false);
    return undefined;
  });
}
