/* status.js -- a registered PNS's progress in words: the verifier's state
 * (registered, receipt_received, in_batch, accepted) and the unit's
 * activation, as on Akun Saya and Cek Status. */
export const TAHAP = ["registered", "receipt_received", "in_batch", "accepted", "unit_active"];

const TEKS = {
  registered: "Terdaftar. Cetak bukti registrasi dan serahkan satu lembar ke Verifikator 1 di unit kerja Anda.",
  receipt_received: "Bukti registrasi Anda sudah diterima Verifikator 1.",
  in_batch: "Verifikator 1 telah mengirim bukti registrasi Anda ke Verifikator 2 (BKD).",
  accepted: "Diterima Verifikator 2. Tunggu hingga unit kerja Anda diaktifkan.",
  unit_active: "Unit kerja Anda sudah aktif: tahap pemutakhiran data dapat dimulai.",
};

/* The index in TAHAP of a status answer ({status, unit_aktif}). */
export function tahapKe(d) {
  if (d.unit_aktif === true && d.status === "accepted") return 4;
  const i = TAHAP.indexOf(d.status);
  return i < 0 ? 0 : i;
}

export function teksStatus(d) {
  return TEKS[TAHAP[tahapKe(d)]];
}

/* Marks the steps of an <ol class="status"> (li[data-tahap]) done / current. */
export function tandai(ol, d) {
  const k = tahapKe(d);
  for (const li of ol.querySelectorAll("li[data-tahap]")) {
    const i = TAHAP.indexOf(li.dataset.tahap);
    li.className = i < k ? "selesai" : i === k ? "kini" : "";
    if (i === k) li.setAttribute("aria-current", "step");
    else li.removeAttribute("aria-current");
    const sr = li.querySelector(".sembunyi-visual") || li.appendChild(Object.assign(document.createElement("span"), { className: "sembunyi-visual" }));
    sr.textContent = i < k ? " (selesai)" : i === k ? " (tahap saat ini)" : " (belum)";
  }
}
