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

const formCari = document.getElementById("form-cari");
formCari.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const nip = document.getElementById("nip").value.trim();
  const pesan = document.getElementById("pesan-cari");
  const hasil = document.getElementById("hasil-cari");
  hasil.hidden = true;
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
});
