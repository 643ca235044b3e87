/* api.js -- the portal's only way to the gateway: JSON in and out, the
 * bearer session when asked, and every failure turned into a result the
 * pages can show (never a thrown error, never a raw body). */

const WAKTU_MAKS_MS = 45_000; // a registration may wait for the gateway's own 30 s timeout

/* Seconds of Retry-After (header, else the problem's retry_after), or 0. */
function retryAfter(res, data) {
  const h = res && res.headers.get("Retry-After");
  let s = h && /^[0-9]+$/.test(h.trim()) ? parseInt(h, 10) : 0;
  if (!s && h) {
    const t = Date.parse(h);
    if (!Number.isNaN(t)) s = Math.max(0, Math.ceil((t - Date.now()) / 1000));
  }
  if (!s && data && Number.isInteger(data.retry_after)) s = data.retry_after;
  return s;
}

/* { ok, status, data, retryAfter, headers } for any answer; status 0 when
 * the network failed or the request timed out. */
export async function call(method, path, { body, token, headers = {}, timeoutMs = WAKTU_MAKS_MS } = {}) {
  const opts = { method, headers: { Accept: "application/json, application/problem+json", ...headers } };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  if (token) opts.headers.Authorization = "Bearer " + token;
  if (typeof AbortSignal !== "undefined" && AbortSignal.timeout) opts.signal = AbortSignal.timeout(timeoutMs);
  let res;
  try {
    res = await fetch(path, opts);
  } catch (e) {
    const timedOut = e && (e.name === "TimeoutError" || e.name === "AbortError");
    return { ok: false, status: 0, timedOut, data: {}, retryAfter: 0, headers: null };
  }
  let data = {};
  const type = res.headers.get("Content-Type") || "";
  if (/json/.test(type)) {
    try { data = await res.json(); } catch { data = {}; }
  }
  return { ok: res.ok, status: res.status, data: data || {}, retryAfter: retryAfter(res, data), headers: res.headers };
}

/* A binary answer (the PDFs): { ok, status, blob, filename, data, retryAfter }. */
export async function blob(path, token) {
  const opts = { headers: { Accept: "application/pdf, application/json" } };
  if (token) opts.headers.Authorization = "Bearer " + token;
  if (typeof AbortSignal !== "undefined" && AbortSignal.timeout) opts.signal = AbortSignal.timeout(WAKTU_MAKS_MS);
  let res;
  try {
    res = await fetch(path, opts);
  } catch {
    return { ok: false, status: 0, data: {}, retryAfter: 0 };
  }
  const type = res.headers.get("Content-Type") || "";
  if (res.status === 200 && /pdf/.test(type)) {
    const disp = res.headers.get("Content-Disposition") || "";
    const m = /filename="([^"]+)"/.exec(disp);
    return { ok: true, status: 200, blob: await res.blob(), filename: m ? m[1] : "dokumen.pdf" };
  }
  let data = {};
  if (/json/.test(type)) {
    try { data = await res.json(); } catch { data = {}; }
  }
  return { ok: false, status: res.status, data: data || {}, retryAfter: retryAfter(res, data) };
}

/* HH:MM in WIB (UTC+7) of the first whole minute at or after now + s. */
export function jamWib(seconds) {
  const t = new Date(Math.ceil((Date.now() + seconds * 1000) / 60000) * 60000 + 7 * 3600 * 1000);
  return String(t.getUTCHours()).padStart(2, "0") + ":" + String(t.getUTCMinutes()).padStart(2, "0");
}

/* Is this a "busy, come back later" answer (429, 503, 504)? */
export function sibuk(r) {
  return r.status === 429 || r.status === 503 || r.status === 504;
}

function lama(s) {
  if (s < 60) return `${s} detik`;
  const m = Math.ceil(s / 60);
  return `${m} menit`;
}

/* The one Indonesian sentence a person should read for a failed result. */
export function pesanGagal(r, cadangan = "Permintaan gagal.") {
  if (r.status === 0) {
    return r.timedOut
      ? "Server tidak menjawab tepat waktu. Isian Anda tetap tersimpan: periksa koneksi lalu coba lagi."
      : "Tidak dapat terhubung ke server. Periksa koneksi internet Anda, lalu coba lagi.";
  }
  if (sibuk(r)) {
    const judul = r.status === 429
      ? (r.data.code === "login_dikunci" ? (r.data.detail || "Terlalu banyak percobaan masuk.") : "Terlalu banyak permintaan dari perangkat Anda.")
      : r.status === 504 ? "Sistem sedang sibuk dan tidak menjawab tepat waktu." : "Sistem sedang sibuk.";
    const kapan = r.retryAfter > 0
      ? `Silakan coba lagi pukul ${jamWib(r.retryAfter)} WIB (sekitar ${lama(r.retryAfter)} lagi).`
      : "Silakan coba lagi beberapa saat lagi.";
    const belum = r.status === 504
      ? "Isian Anda tetap tersimpan; tekan tombol yang sama lagi nanti."
      : "Permintaan Anda belum diproses dan isian Anda tetap tersimpan.";
    return r.status === 429 && r.data.code === "login_dikunci" ? `${judul} ${kapan}` : `${judul} ${kapan} ${belum}`;
  }
  if (r.data && typeof r.data.detail === "string" && r.data.detail) return r.data.detail;
  if (r.status >= 500) return `Terjadi gangguan pada server (kode ${r.status}). Silakan coba lagi beberapa saat lagi.`;
  if (r.status === 404) return "Data tidak ditemukan.";
  return cadangan;
}
