/* lama.js -- only for a browser too old for the portal's modules (it runs
 * nomodule scripts, modern ones skip it): says so instead of an empty page. */
(function () {
  var el = document.getElementById("pesan-global");
  if (!el) return;
  el.className = "pesan galat";
  el.appendChild(document.createTextNode("Browser Anda terlalu lama untuk portal ini. Perbarui browser " +
    "(misalnya Chrome atau Firefox versi terbaru), atau gunakan komputer kantor. Bantuan: Verifikator 1 di unit kerja Anda."));
})();
