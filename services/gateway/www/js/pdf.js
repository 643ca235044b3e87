/* pdf.js -- Cetak / Cetak Formulir: the PDFs need the bearer session, so
 * they are fetched as a blob with Authorization and handed to the browser
 * as a download (a phone saves it, an office PC opens or prints it), with
 * a link to open it in a new tab. A receipt still being prepared (202) is
 * fetched again after its Retry-After. */
import { blob, pesanGagal } from "./api.js";
import { pesan } from "./ui.js";

const NAMA = { bukti: "Bukti Registrasi", formulir: "Formulir" };
const tunggu = (s) => new Promise((ok) => setTimeout(ok, s * 1000));

export async function cetak(jenis, no, token, el) {
  const path = `/api/v1/registrasi/${encodeURIComponent(no)}/${jenis === "formulir" ? "formulir" : "bukti"}.pdf`;
  pesan(el, `Menyiapkan ${NAMA[jenis]}…`, "info");
  let r;
  let gagal = 0;
  for (let i = 0; i < 10; i++) {
    r = await blob(path, token);
    // 202: still being prepared. A GET is safe to repeat: a short 503/504
    // (a service restarting) is tried twice more before the person is told.
    const sebentar = (r.status === 503 || r.status === 504) && (r.retryAfter || 0) <= 10 && gagal < 2;
    if (r.status !== 202 && !sebentar) break;
    if (sebentar) gagal++;
    pesan(el, (r.data && r.data.pesan) || `${NAMA[jenis]} sedang disiapkan, mohon tunggu…`, "info");
    await tunggu(Math.min(Math.max(r.retryAfter || 2, 1), 10));
  }
  if (!r.ok) {
    pesan(el, r.status === 401 ? "Sesi Anda telah berakhir. Silakan masuk kembali untuk mencetak."
      : pesanGagal(r, `${NAMA[jenis]} gagal diunduh.`), r.status === 401 ? "galat" : (r.status === 202 || r.status >= 500 || r.status === 0 ? "sibuk" : "galat"));
    return false;
  }
  const url = URL.createObjectURL(r.blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = r.filename;
  document.body.append(a);
  a.click();
  a.remove();
  el.textContent = "";
  el.className = "pesan sukses";
  el.append(`${NAMA[jenis]} telah diunduh (${r.filename}). `);
  const buka = document.createElement("a");
  buka.href = url;
  buka.target = "_blank";
  buka.rel = "noopener";
  buka.textContent = "Buka PDF untuk dicetak";
  el.append(buka);
  setTimeout(() => URL.revokeObjectURL(url), 10 * 60_000);
  return true;
}
