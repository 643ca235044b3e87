/* verifikator.js -- the verifier desks' entry (the desks follow once the
 * verifier API exists). */
import { halaman, mulai } from "./router.js";

halaman("/verifikator");
mulai();
