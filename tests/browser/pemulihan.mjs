// pemulihan.mjs -- lupa kata kunci end to end (placeholder until the API lands).
import { api, skip } from "./lib.mjs";

export async function walk() {
  const r = await api("POST", "/api/v1/kata-kunci/lupa", {});
  if (r.status === 404 && r.data && r.data.code === "tidak_ditemukan") {
    skip("lupa kata kunci end to end", "the gateway has no /api/v1/kata-kunci/lupa yet");
  }
}
