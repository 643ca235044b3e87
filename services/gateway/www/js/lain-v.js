/* lain-v.js -- the correction reports a Verifikator 2 (or admin) decides,
 * accept or reject with a reason (the identity service applies them), and
 * the admin's audit log with its filters, newest first, page by page. */
import { halaman } from "./router.js";
import { $, el, isian, pesan, saatKirim, tampilkanGagal, waktu } from "./ui.js";

let meja = null;
const formKoreksi = $("#form-saring-koreksi");
const formAudit = $("#form-saring-audit");
const HASIL = { open: "Belum diputuskan", accepted: "Diterima", rejected: "Ditolak" };
const BIDANG = { nama: "Nama", instansi: "Instansi" };

function kartuKoreksi(k) {
  const lap = k.laporan || {};
  const usulan = lap.usulan || (lap.proposal && (lap.proposal.usulan || lap.proposal.value)) || "";
  const bidang = lap.field || (lap.proposal && lap.proposal.field) || "";
  const box = el("div", { className: "card" });
  box.dataset.koreksi = k.id;
  const judul = el("h2", { textContent: `${BIDANG[bidang] || bidang || "Data"} · NIP ${k.nip}` });
  const dl = el("dl", { className: "data" },
    el("dt", { textContent: "Data lama" }), el("dd", { textContent: lap.nilai_lama || "—" }),
    el("dt", { textContent: "Usulan" }), el("dd", { textContent: usulan || "—" }),
    el("dt", { textContent: "Catatan" }), el("dd", { textContent: lap.catatan || "—" }),
    el("dt", { textContent: "Dilaporkan" }), el("dd", { textContent: waktu(k.dilaporkan_at) || "—" }),
    el("dt", { textContent: "Status" }), el("dd", { textContent: HASIL[k.status] + (k.alasan ? ` — ${k.alasan}` : "") +
      (k.diputuskan_oleh ? ` (oleh ${k.diputuskan_oleh}, ${waktu(k.diputuskan_at)})` : "") }));
  box.append(judul, dl);
  if (k.status !== "open") return box;
  const form = el("form", { noValidate: true });
  const idAlasan = `alasan-${k.id}`;
  const label = el("label", { htmlFor: idAlasan, textContent: "Alasan (wajib bila ditolak)" });
  const ta = el("textarea", { id: idAlasan, name: "alasan", maxLength: 500 });
  const galat = el("p", { className: "galat-isian", id: `${idAlasan}-galat` });
  galat.dataset.galat = "alasan";
  ta.setAttribute("aria-describedby", galat.id);
  const terima = el("button", { type: "button", textContent: "Terima koreksi" });
  const tolak = el("button", { type: "button", className: "bahaya", textContent: "Tolak" });
  const pesanEl = el("p", { className: "pesan" });
  pesanEl.setAttribute("role", "alert");
  pesanEl.dataset.pesan = "";
  form.append(label, ta, galat);
  // An Instansi report is accepted into a unit kerja: which one, when the
  // proposal is not itself the unit's kode.
  let unitIn = null;
  if (bidang === "instansi") {
    const idUnit = `unit-${k.id}`;
    const labelUnit = el("label", { htmlFor: idUnit, textContent: "Kode unit kerja tujuan (bila diterima)" });
    unitIn = el("input", { id: idUnit, name: "unit_kerja_kode", maxLength: 32, autocomplete: "off" });
    const galatUnit = el("p", { className: "galat-isian", id: `${idUnit}-galat` });
    galatUnit.dataset.galat = "unit_kerja_kode";
    unitIn.setAttribute("aria-describedby", galatUnit.id);
    form.append(labelUnit, unitIn, galatUnit);
  }
  form.append(el("div", { className: "tombol-baris" }, terima, tolak), pesanEl);
  const putuskan = async (keputusan, btn) => {
    for (const p of form.querySelectorAll("[data-galat]")) p.textContent = "";
    ta.removeAttribute("aria-invalid");
    if (unitIn) unitIn.removeAttribute("aria-invalid");
    btn.disabled = true;
    const body = { keputusan };
    if (ta.value.trim()) body.alasan = ta.value.trim();
    if (unitIn && keputusan === "terima" && unitIn.value.trim()) body.unit_kerja_kode = unitIn.value.trim();
    const r = await meja.api("POST", `/api/v1/verifikator/koreksi/${encodeURIComponent(k.id)}/putuskan`, { body });
    btn.disabled = false;
    if (r.status === 401) return;
    if (!r.ok) {
      tampilkanGagal(form, r);
      return;
    }
    pesan(pesanEl, r.data.status === "accepted" ? "Koreksi diterima; data kepegawaian diperbarui." : "Koreksi ditolak; PNS melihat alasannya.", "sukses");
    terima.disabled = true;
    tolak.disabled = true;
  };
  terima.addEventListener("click", () => putuskan("terima", terima));
  tolak.addEventListener("click", () => putuskan("tolak", tolak));
  box.append(form);
  return box;
}

async function muatKoreksi() {
  const v = isian(formKoreksi);
  const r = await meja.api("GET", `/api/v1/verifikator/koreksi?status=${encodeURIComponent(v.status || "open")}`);
  if (r.status === 401) return;
  const box = $("#daftar-koreksi");
  box.replaceChildren();
  if (!r.ok) {
    tampilkanGagal(formKoreksi, r);
    return;
  }
  const items = r.data.items || [];
  $("#koreksi-ringkas").textContent = `${r.data.total ?? items.length} laporan.`;
  if (!items.length) box.append(el("p", { className: "bantuan", textContent: "Tidak ada laporan dengan status ini." }));
  for (const k of items) box.append(kartuKoreksi(k));
}
saatKirim(formKoreksi, "Memuat…", () => muatKoreksi());

// ---- audit --------------------------------------------------------------------------------
let sebelum = null;
async function muatAudit(lanjut = false) {
  const v = isian(formAudit);
  const p = new URLSearchParams({ limit: "100" });
  for (const k of ["username", "aksi", "objek"]) if (v[k]) p.set(k, v[k]);
  if (lanjut && sebelum) p.set("sebelum", String(sebelum));
  const r = await meja.api("GET", `/api/v1/verifikator/audit?${p}`);
  if (r.status === 401) return;
  const tbody = $("#tabel-audit tbody");
  if (!lanjut) tbody.replaceChildren();
  if (!r.ok) {
    tampilkanGagal(formAudit, r);
    return;
  }
  for (const a of r.data.items || []) {
    tbody.append(el("tr", {}, el("td", { textContent: waktu(a.at) }), el("td", { textContent: `${a.username} (${a.peran})` }),
      el("td", { textContent: a.aksi }), el("td", { textContent: a.objek }), el("td", { textContent: a.alamat })));
  }
  if (!tbody.children.length) tbody.append(el("tr", {}, el("td", { colSpan: 5, textContent: "Tidak ada catatan yang cocok." })));
  sebelum = r.data.sebelum_berikutnya ?? null;
  $("#audit-lagi").hidden = !sebelum;
}
saatKirim(formAudit, "Memuat…", () => muatAudit(false));
$("#audit-lagi").addEventListener("click", () => muatAudit(true));

export function pasang(m) {
  meja = m;
  halaman("/verifikator/koreksi", () => {
    const lain = m.perlu(["verifikator2", "admin"]);
    if (lain) return lain;
    muatKoreksi();
    return undefined;
  });
  halaman("/verifikator/audit", () => {
    const lain = m.perlu(["admin"]);
    if (lain) return lain;
    muatAudit(false);
    return undefined;
  });
}
