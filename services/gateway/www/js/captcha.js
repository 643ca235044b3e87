/* captcha.js -- the captcha of a form: image, "Muat ulang kode" button and
 * the answer field (name captcha_jawaban). Each captcha is checked once,
 * right or wrong, so a refused form loads a new one. */
import { call, pesanGagal, sibuk } from "./api.js";
import { $, pesan, pesanForm } from "./ui.js";

export function captcha(form) {
  const img = $("[data-captcha-gambar]", form);
  const tombol = $("[data-captcha-baru]", form);
  const input = form.elements.captcha_jawaban;
  let id = null;
  async function muat() {
    tombol.disabled = true;
    const r = await call("POST", "/api/v1/captcha");
    tombol.disabled = false;
    input.value = "";
    if (!r.ok) {
      id = null;
      img.removeAttribute("data-id");
      pesan(pesanForm(form), "Kode captcha gagal dimuat. " + pesanGagal(r), sibuk(r) || r.status === 0 ? "sibuk" : "galat");
      return false;
    }
    id = r.data.id;
    img.src = r.data.image;
    img.dataset.id = id;
    return true;
  }
  tombol.addEventListener("click", async () => {
    await muat();
    input.focus();
  });
  return {
    muat,
    get id() { return id; },
    /* After an answer: a new captcha unless the request was refused unprocessed (busy). */
    async setelah(r) {
      if (!r.ok && !sibuk(r) && r.status !== 0) await muat();
      else if (r.ok) { id = null; }
    },
  };
}
