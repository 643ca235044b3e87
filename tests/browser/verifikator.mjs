// verifikator.mjs -- the verifier desks (placeholder until the API lands).
import { api, skip } from "./lib.mjs";

export async function walk() {
  const r = await api("POST", "/api/v1/verifikator/login", {});
  if (r.status === 404 && r.data && r.data.code === "tidak_ditemukan") {
    skip("verifier flow", "the gateway has no /api/v1/verifikator/login yet");
  }
}
