/* akun.js -- Akun Saya (placeholder until the account API lands). */
import { halaman } from "./router.js";

export function pasang(sesi) {
  halaman("/akun", () => (sesi.get() ? undefined : "/masuk?lanjut=/akun"));
}
