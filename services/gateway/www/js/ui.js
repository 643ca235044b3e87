/* ui.js -- what every form of the portal does alike: read its fields, show
 * the API's field errors next to their fields (aria-invalid, the message in
 * the field's described-by text), the form's own message, the busy wait,
 * and the password strength hint. */
import { pesanGagal, sibuk } from "./api.js";

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

/* The form's named fields as an object (data-jenis="angka": an integer). */
export function isian(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled || el.type === "submit" || el.type === "button" || el.hidden) continue;
    if (el.type === "checkbox") { out[el.name] = el.checked; continue; }
    let v = el.type === "password" ? el.value : el.value.trim();
    if (el.dataset.jenis === "angka") v = v === "" ? 0 : parseInt(v, 10) || 0;
    out[el.name] = v;
  }
  return out;
}

/* The form's message line: kind galat | sibuk | sukses | info | "" */
export function pesan(el, text, kind = "") {
  if (!el) return;
  el.textContent = text || "";
  el.className = "pesan" + (kind ? " " + kind : "");
}

export function pesanForm(form) {
  return $("[data-pesan]", form);
}

export function bersihkanGalat(form) {
  for (const p of $$("[data-galat]", form)) p.textContent = "";
  for (const el of $$("[aria-invalid]", form)) el.removeAttribute("aria-invalid");
  pesan(pesanForm(form), "");
}

/* Puts each error of a problem at its field, looking in `forms` in order
 * (a field may live in an earlier step's form); returns the errors that
 * have no field on the page. Focuses the first field at fault. */
export function tampilkanGalat(forms, problem) {
  const list = Array.isArray(problem.errors) ? problem.errors.slice() : [];
  if (!list.length && problem.field) list.push({ field: problem.field, message: problem.detail || "" });
  const sisa = [];
  let pertama = null;
  for (const e of list) {
    let placed = false;
    for (const form of forms) {
      const p = $(`[data-galat="${CSS.escape(e.field)}"]`, form);
      if (!p) continue;
      p.textContent = p.textContent ? p.textContent + " " + e.message : e.message;
      const input = form.elements[e.field] || (p.id && $(`[aria-describedby~="${CSS.escape(p.id)}"]`, form));
      if (input && input.setAttribute) {
        input.setAttribute("aria-invalid", "true");
        if (!pertama) pertama = input;
      }
      placed = true;
      break;
    }
    if (!placed) sisa.push(e);
  }
  if (pertama && !pertama.hidden) pertama.focus();
  return sisa;
}

/* Clears password fields (they are never kept after a failure). */
export function kosongkanKataKunci(form) {
  for (const el of form.elements) {
    if (el.type !== "password" || !el.value) continue;
    el.value = "";
    el.dispatchEvent(new Event("input")); // the strength hint follows
  }
}

/* Disables the form's submit button for a busy wait (at most 5 minutes),
 * then gives it back. */
const tunggu = new WeakMap();
export function tahanKirim(form, seconds) {
  const btn = $("button[type=submit]", form);
  if (!btn || seconds <= 0) return;
  clearTimeout(tunggu.get(form));
  const ms = Math.min(seconds, 300) * 1000;
  btn.disabled = true;
  btn.dataset.tahan = String(Date.now() + ms);
  tunggu.set(form, setTimeout(() => {
    delete btn.dataset.tahan;
    btn.disabled = false;
  }, ms));
}
const ditahan = (btn) => Number(btn.dataset.tahan || 0) > Date.now();

/* Shows a failed result on `form`: field errors at their fields, the rest
 * (and a summary) in the form's message; a busy answer as a "coba lagi"
 * message with the time. `forms` lists other forms holding fields. */
export function tampilkanGagal(form, r, { forms = [], cadangan } = {}) {
  const el = pesanForm(form);
  if (sibuk(r) || r.status === 0) {
    pesan(el, pesanGagal(r), "sibuk");
    if (r.retryAfter > 0) tahanKirim(form, r.retryAfter);
    return;
  }
  const sisa = tampilkanGalat([form, ...forms], r.data || {});
  const ekstra = sisa.map((e) => e.message).filter(Boolean);
  const ringkas = pesanGagal(r, cadangan);
  pesan(el, [ringkas, ...ekstra].join(" "), "galat");
}

/* Marks a button busy while `fn` runs; the label says what happens. */
export async function sibukTombol(btn, label, fn) {
  const old = btn.textContent;
  btn.disabled = true;
  btn.setAttribute("aria-busy", "true");
  btn.textContent = label;
  try {
    return await fn();
  } finally {
    btn.textContent = old;
    btn.removeAttribute("aria-busy");
    btn.disabled = ditahan(btn); // a busy wait (tahanKirim) outlives the request
  }
}

/* A form's submit: clears old errors, runs fn(form) with the submit
 * button marked busy. A busy wait set by tampilkanGagal outlives it. */
export function saatKirim(form, label, fn) {
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const btn = $("button[type=submit]", form);
    if (btn && btn.disabled) return;
    bersihkanGalat(form);
    await sibukTombol(btn, label, () => fn(form));
  });
}

/* Password strength, 0-4, from length and kinds of characters. */
export function kekuatan(pw, nip = "") {
  if (!pw) return 0;
  if (pw.length < 8) return 1;
  if (nip && pw.includes(nip)) return 1;
  let kinds = 0;
  for (const re of [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/]) if (re.test(pw)) kinds++;
  if (/^(.)\1+$/.test(pw) || /^(?:12345678|password|katakunci|qwertyui)/i.test(pw)) return 1;
  let s = 1 + (kinds >= 2) + (kinds >= 3 && pw.length >= 10) + (kinds >= 3 && pw.length >= 12);
  return Math.min(4, s);
}
const KATA = ["", "lemah", "sedang", "kuat", "sangat kuat"];
const SARAN = ["", "Gunakan minimal 8 karakter, jangan memakai NIP.", "Tambahkan huruf besar, angka atau simbol.",
  "Kata kunci yang lebih panjang lebih aman.", ""];

/* Wires the strength hint of a password input: its text is the described-by
 * element whose id ends in -kekuatan, the meter the .kekuatan before it. */
export function pasangKekuatan(input, nipOf = () => "") {
  const id = (input.getAttribute("aria-describedby") || "").split(/\s+/).find((x) => x.endsWith("-kekuatan"));
  const teks = id && document.getElementById(id);
  const prev = teks && teks.previousElementSibling;
  const meter = prev && prev.classList.contains("kekuatan") ? prev : null;
  const update = () => {
    const k = kekuatan(input.value, nipOf());
    if (meter) meter.className = "kekuatan" + (k ? " k" + k : "");
    if (teks) teks.textContent = k ? `Kekuatan kata kunci: ${KATA[k]}. ${SARAN[k]}`.trim() : "";
  };
  input.addEventListener("input", update);
  update();
}

/* Fills every select[data-pertanyaan] (and #pertanyaan_id) with the
 * security questions, once. */
let pertanyaanMuat = null;
export async function muatPertanyaan(call, selects) {
  if (!pertanyaanMuat) {
    pertanyaanMuat = call("GET", "/api/v1/pertanyaan-pengaman").then((r) => {
      if (!r.ok || !Array.isArray(r.data)) { pertanyaanMuat = null; return null; }
      return r.data;
    });
  }
  const list = await pertanyaanMuat;
  for (const sel of selects) {
    if (!list || sel.options.length > 1) continue;
    for (const q of list) sel.append(new Option(q.teks, String(q.id)));
  }
  return list !== null;
}

/* A new element: el("td", { className: "x", dataset: {...}, attrs: {"aria-label": ...} }, "text", child...). */
export function el(tag, props = {}, ...children) {
  const { dataset, attrs, ...rest } = props;
  const e = Object.assign(document.createElement(tag), rest);
  if (dataset) Object.assign(e.dataset, dataset);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

/* An ISO time as Indonesian date and time in WIB ("" for none). */
export function waktu(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString("id-ID", { timeZone: "Asia/Jakarta", dateStyle: "medium", timeStyle: "short" }) + " WIB";
}
