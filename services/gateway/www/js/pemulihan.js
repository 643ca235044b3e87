/* pemulihan.js -- placeholder until the recovery API lands. */
import { halaman } from "./router.js";

export function pasang() {
  halaman("/lupa-kata-kunci");
  halaman("/cek-status");
  halaman("/akun/kata-kunci-baru");
  halaman("/akun/verifikasi-email");
}
