// verifikator.mjs -- the verifier desks in the browser, with a PNS's Akun
// Saya open beside them: Verifikator 1 finds the PNS in the unit's list
// (filters, counts), marks the receipt (a typo in the number refused at the
// field first), builds and submits a batch; Verifikator 2 returns it with a
// reason (an empty reason refused at its field), Verifikator 1 submits it
// again, Verifikator 2 accepts it; the PNS's status follows each step.
// Verifikator 2 rejects the PNS's correction report with a reason, which
// the PNS then reads; the admin finds the marking in the audit log.
// Accounts are made with `pupns-ctl user add` (BIN_DIR, PG_PORT).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { PASSWORD } from "./daftar.mjs";
import { api, newPage, note, PG_PORT, psql, shot, skip, step, STEP_MS, TOP, VIEWPORTS } from "./lib.mjs";

const BIN = process.env.BIN_DIR || join(TOP, "build/rel/bin");
const SANDI = "Rahasia-Meja-2026";

function userAdd(username, args) {
  const r = spawnSync(join(BIN, "pupns-ctl"), ["user", "add", username, ...args], {
    input: SANDI + "\n", encoding: "utf8", timeout: 60_000,
    env: { ...process.env, PUPNS_PG_URL: `postgresql://pupns_verifier@127.0.0.1:${PG_PORT}/pupns` },
  });
  if (r.status !== 0) throw new Error(`pupns-ctl user add ${username}: ${(r.stderr || r.error || "").toString().trim()}`);
}

// A 1x1 PNG: the "photo" the stand-in BarcodeDetector reads.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
const psqlOne = (sql) => psql(sql)[0] || "";

// A typo of a registration number: its last (check) symbol changed.
function typo(no) {
  const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
  const i = alphabet.indexOf(no[7]);
  return no.slice(0, 7) + alphabet[(i + 1) % alphabet.length];
}

export async function masuk(page, username) {
  await page.goto(page.base + "/verifikator");
  await page.locator("#v-username").fill(username);
  await page.locator("#v-kata-kunci").fill(SANDI);
  const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/verifikator/login"), { timeout: STEP_MS * 2 });
  await page.locator("#v-tombol-masuk").click();
  const res = await resP;
  if (res.status() !== 200) throw new Error(`login of ${username} answered ${res.status()}`);
  await page.waitForURL((u) => u.pathname !== "/verifikator");
}

export async function keluar(page) {
  await page.locator("#v-keluar").click();
  await page.waitForURL((u) => u.pathname === "/verifikator");
}

// The PNS's current step on Akun Saya (reloaded).
async function pnsStep(pns) {
  await pns.goto(pns.base + "/akun");
  await pns.waitForFunction(() => document.querySelector("#akun-status li.kini"));
  return (await pns.locator("#akun-status li.kini").textContent()).trim();
}

async function waitStep(pns, re, what) {
  const until = Date.now() + STEP_MS;
  let last = "";
  while (Date.now() < until) {
    last = await pnsStep(pns);
    if (re.test(last)) return true;
    await pns.waitForTimeout(1000);
  }
  return `Akun Saya shows '${last}', want ${what}`;
}

export async function walk(page, { context, account, qrNip }) {
  const $ = (sel) => page.locator(sel);
  const probe = await api("POST", "/api/v1/verifikator/login", {});
  if (probe.status === 404 && probe.data && probe.data.code === "tidak_ditemukan") {
    skip("verifier flow", "the gateway has no /api/v1/verifikator/login yet");
    return;
  }
  if (!account) throw new Error("no registered account from the registration walk");
  const { nip, noReg, pns: data } = account;
  const unit = data.unit_kerja.kode;
  const inst = data.instansi.kode;
  const tag = Date.now().toString(36);
  // A second registered PNS (the keyboard walk's) whose receipt is marked by its QR code.
  let second = null;
  if (qrNip) {
    const r = await api("GET", `/api/v1/pns/${qrNip}`);
    if (r.status === 200) second = { nip: qrNip, unit: r.data.unit_kerja.kode, inst: r.data.instansi.kode };
  }
  const v1 = `v1-${tag}`, v2 = `v2-${tag}`, admin = `admin-${tag}`;

  await step("verifier accounts with pupns-ctl user add (Verifikator 1 of the unit, 2 of its instansi, admin)", () => {
    const units = ["--unit", unit];
    if (second && second.unit !== unit) units.push("--unit", second.unit);
    userAdd(v1, ["--role", "verifikator1", "--nama", "Budi Verifikator Satu", ...units]);
    userAdd(v2, ["--role", "verifikator2", "--nama", "Sari Verifikator Dua", "--instansi", inst, "--bkd", "BKD Uji Browser"]);
    userAdd(admin, ["--role", "admin", "--nama", "Admin Uji Browser"]);
    note(`unit ${unit}, instansi ${inst}, accounts ${v1} ${v2} ${admin}`);
    return true;
  });

  // The PNS's own page, in a tab of its own (a phone).
  const pns = await newPage(context, VIEWPORTS.ponsel);
  pns.base = page.base;
  await step("the PNS logs in on a phone: Akun Saya says 'Terdaftar'", async () => {
    await pns.goto(pns.base + "/masuk");
    await pns.locator("#masuk-nip").fill(nip);
    await pns.locator("#masuk-kata-kunci").fill(account.password || PASSWORD);
    await pns.locator("#tombol-masuk").click();
    await pns.waitForURL(/\/akun$/, { timeout: STEP_MS * 2 });
    return waitStep(pns, /^Terdaftar/, "Terdaftar");
  });

  await step("a wrong verifier password is refused at the login form", async () => {
    await page.goto(page.base + "/verifikator");
    await $("#v-username").fill(v1);
    await $("#v-kata-kunci").fill("bukan kata kuncinya");
    const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/verifikator/login"), { timeout: STEP_MS * 2 });
    await $("#v-tombol-masuk").click();
    const res = await resP;
    page.errors.expect(res.url());
    if (res.status() !== 401) return `answered ${res.status()}`;
    await page.waitForFunction(() => document.querySelector("#form-v-masuk [data-pesan]").textContent.trim() !== "");
    return (await $("#v-kata-kunci").inputValue()) === "" || "the password stays in the field";
  });

  await step("Verifikator 1 logs in: the unit's list with counts; the NIP search finds the PNS 'Terdaftar'", async () => {
    await masuk(page, v1);
    await page.waitForURL(/\/verifikator\/unit/);
    if (second && second.unit !== unit) await page.goto(page.base + `/verifikator/unit?kode=${encodeURIComponent(unit)}`);
    await $("#kartu-daftar-pns").waitFor({ state: "visible" });
    const counts = (await $("#unit-hitungan").textContent()).replace(/\s+/g, " ");
    if (!/Semua: \d+/.test(counts)) return `counts '${counts}'`;
    await shot(page, "alur-verifikator-unit");
    await $("#saring-q").fill(nip);
    await $("#form-saring button[type=submit]").click();
    await page.waitForFunction((n) => {
      const rows = document.querySelectorAll("#tabel-pns tbody tr");
      return rows.length === 1 && rows[0].dataset.nip === n;
    }, nip);
    const st = (await $(`#tabel-pns tr[data-nip="${nip}"] td:nth-child(3)`).textContent()).trim();
    if (!/^Terdaftar/.test(st)) return `state shown '${st}'`;
    note(`unit counts: ${counts}`);
    return true;
  });

  await step("the state filter: 'Belum registrasi' lists no registered PNS", async () => {
    await $("#saring-q").fill("");
    await $("#saring-status").selectOption("not_registered");
    const resP = page.waitForResponse((r) => r.url().includes("/pns?") && r.url().includes("status=not_registered"));
    await $("#form-saring button[type=submit]").click();
    await resP;
    await page.waitForTimeout(200);
    const states = await page.locator("#tabel-pns tbody tr td:nth-child(3)").allTextContents();
    if (states.some((s) => !/Belum registrasi|Tidak ada PNS/.test(s))) return `states ${JSON.stringify(states.slice(0, 5))}`;
    await $("#saring-status").selectOption("");
    await $("#saring-q").fill(nip);
    await $("#form-saring button[type=submit]").click();
    await page.waitForFunction((n) => document.querySelectorAll("#tabel-pns tbody tr").length === 1 &&
      document.querySelector("#tabel-pns tbody tr").dataset.nip === n, nip);
    return true;
  });

  await step("a mistyped No. Registrasi is refused next to the field, what was typed kept", async () => {
    const wrong = typo(noReg);
    await $("#tt-nomor").fill(wrong);
    const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/verifikator/tanda-terima"));
    await $("#form-tanda-terima button[type=submit]").click();
    const res = await resP;
    page.errors.expect(res.url());
    if (res.status() !== 400) return `answered ${res.status()}`;
    await page.waitForFunction(() => [...document.querySelectorAll("#form-tanda-terima [data-galat]")].some((p) => p.textContent.trim()));
    const t = (await page.locator("#form-tanda-terima [data-galat]").allTextContents()).join(" ").trim();
    note(`typo '${wrong}': '${t}'`);
    if ((await $("#tt-nomor").inputValue()) !== wrong) return "the typed number was not kept";
    return (await $("#tt-nomor").getAttribute("aria-invalid")) === "true" || "the field is not aria-invalid";
  });

  await step("the typed No. Registrasi marks the receipt: 'Bukti diterima', the list follows", async () => {
    await $("#tt-nomor").fill(noReg.toLowerCase());
    const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/verifikator/tanda-terima"));
    await $("#form-tanda-terima button[type=submit]").click();
    const res = await resP;
    if (res.status() !== 201) return `answered ${res.status()}: ${await res.text()}`;
    await page.waitForFunction(() => /Bukti diterima/.test(document.querySelector("#form-tanda-terima [data-pesan]").textContent));
    await page.waitForFunction((n) => /Bukti diterima/.test((document.querySelector(`#tabel-pns tr[data-nip="${n}"] td:nth-child(3)`) || {}).textContent || ""), nip);
    await shot(page, "alur-verifikator-tanda-terima");
    return true;
  });

  if (second) {
    await step("without BarcodeDetector (headless Chromium on Linux) the camera button says how else to mark", async () => {
      const has = await page.evaluate(() => typeof window.BarcodeDetector);
      if (has === "function") return true; // a browser that has it: nothing to fall back from
      await $("#tombol-kamera").click();
      await page.waitForFunction(() => /tidak dapat memindai/.test(document.getElementById("qr-pesan").textContent));
      return true;
    });

    await step("the QR code of a receipt, from a photo: the second unit chosen, the photo decoded, the receipt marked (metode qr)", async () => {
      const payload = psqlOne(`SELECT 'PUPNS1.' || no_registrasi || '.' || nip || '.' || extract(epoch FROM issued_at)::bigint
        || '.' || key_id || '.' || signature FROM receipt.document WHERE nip = '${second.nip}'`);
      if (!payload) return `no receipt document for ${second.nip}`;
      // The browser's own BarcodeDetector stands in (this Chromium has none): it
      // "reads" the payload from the photo; the page's use of it is what is tested.
      await page.addInitScript((qr) => {
        window.BarcodeDetector = class {
          static async getSupportedFormats() { return ["qr_code"]; }
          async detect(src) { return src && src.width ? [{ rawValue: qr, format: "qr_code" }] : []; }
        };
      }, payload);
      await page.reload();
      await $("#unit-pilih").waitFor({ state: "visible" });
      if (second.unit !== unit) {
        await $("#unit-pilih").selectOption(second.unit);
        await page.waitForURL((u) => u.searchParams.get("kode") === second.unit);
      }
      await $("#kartu-tanda-terima").waitFor({ state: "visible" });
      const resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/verifikator/tanda-terima"));
      await $("#qr-foto").setInputFiles({ name: "bukti.png", mimeType: "image/png", buffer: PNG });
      const res = await resP;
      const body = await res.json();
      if (res.status() !== 201) return `answered ${res.status()}: ${JSON.stringify(body)}`;
      if (body.metode !== "qr" || body.nip !== second.nip) return `marked ${JSON.stringify(body)}`;
      await page.waitForFunction(() => /Bukti diterima/.test(document.querySelector("#form-tanda-terima [data-pesan]").textContent));
      await page.goto(page.base + `/verifikator/unit?kode=${encodeURIComponent(unit)}`);
      await $("#kartu-daftar-pns").waitFor({ state: "visible" });
      await $("#saring-q").fill(nip);
      await $("#form-saring button[type=submit]").click();
      await page.waitForFunction((n) => document.querySelector(`#tabel-pns tr[data-nip="${n}"]`), nip);
      return true;
    });
  }

  await step("the PNS's Akun Saya: 'Bukti registrasi diterima Verifikator 1'", () => waitStep(pns, /diterima Verifikator 1/, "the receipt received"));

  let batchId;
  await step("Verifikator 1 ticks the PNS, builds a batch of it and submits it to Verifikator 2", async () => {
    await $(`#tabel-pns input[data-pilih="${nip}"]`).check();
    let resP = page.waitForResponse((r) => r.url().endsWith("/api/v1/verifikator/batch") && r.request().method() === "POST");
    await $("#tombol-buat-batch").click();
    let res = await resP;
    if (res.status() !== 201) return `batch create answered ${res.status()}: ${await res.text()}`;
    batchId = (await res.json()).id;
    await page.waitForFunction((id) => document.querySelector(`#daftar-batch-unit tr[data-batch="${id}"] button[data-kirim]`), batchId);
    resP = page.waitForResponse((r) => r.url().endsWith(`/api/v1/verifikator/batch/${batchId}/kirim`));
    await $(`#daftar-batch-unit tr[data-batch="${batchId}"] button[data-kirim]`).click();
    res = await resP;
    if (res.status() !== 200) return `submit answered ${res.status()}: ${await res.text()}`;
    await page.waitForFunction(() => /dikirim ke Verifikator 2/.test(document.getElementById("pesan-batch-unit").textContent));
    note(`batch #${batchId}`);
    await shot(page, "alur-verifikator-batch-unit");
    await keluar(page);
    return true;
  });

  await step("the PNS's Akun Saya: 'Dikirim Verifikator 1 ke Verifikator 2'", () => waitStep(pns, /ke Verifikator 2/, "in a batch"));

  await step("Verifikator 2: the batch waits in its queue; returning it needs a reason (error at the field), then it is returned", async () => {
    await masuk(page, v2);
    await page.waitForURL(/\/verifikator\/batch/);
    const row = `#daftar-batch tr[data-batch="${batchId}"]`;
    await page.locator(row).waitFor({ state: "visible" });
    await shot(page, "alur-verifikator-batch");
    await page.locator(`${row} button`).click();
    await $("#kartu-batch-detail").waitFor({ state: "visible" });
    await page.waitForFunction((n) => [...document.querySelectorAll("#tabel-batch tbody td")].some((td) => td.textContent === n), nip);
    let resP = page.waitForResponse((r) => r.url().endsWith(`/batch/${batchId}/kembalikan`));
    await $("#form-kembalikan button[type=submit]").click();
    let res = await resP;
    page.errors.expect(res.url());
    if (res.status() !== 400) return `an empty reason answered ${res.status()}`;
    await $("#kembali-alasan-galat").waitFor({ state: "visible" });
    await $("#kembali-alasan").fill("Satu bukti tidak terbaca, mohon dicetak ulang.");
    resP = page.waitForResponse((r) => r.url().endsWith(`/batch/${batchId}/kembalikan`));
    await $("#form-kembalikan button[type=submit]").click();
    res = await resP;
    if (res.status() !== 200) return `return answered ${res.status()}: ${await res.text()}`;
    await page.waitForFunction(() => /dikembalikan/.test(document.getElementById("pesan-batch").textContent));
    await shot(page, "alur-verifikator-batch-detail");
    await keluar(page);
    return true;
  });

  await step("Verifikator 1 reads the reason on the returned batch and submits it again", async () => {
    await masuk(page, v1);
    await page.goto(page.base + `/verifikator/batch?id=${batchId}`);
    await $("#batch-aksi-v1").waitFor({ state: "visible" });
    const data = await $("#batch-data").textContent();
    if (!/tidak terbaca/.test(data)) return `the reason is not shown: '${data}'`;
    const resP = page.waitForResponse((r) => r.url().endsWith(`/batch/${batchId}/kirim`));
    await $("#tombol-kirim-batch").click();
    const res = await resP;
    if (res.status() !== 200) return `resubmit answered ${res.status()}`;
    await page.waitForFunction(() => /dikirim ke Verifikator 2/.test(document.getElementById("pesan-batch").textContent));
    await keluar(page);
    return true;
  });

  await step("Verifikator 2 accepts the batch", async () => {
    await masuk(page, v2);
    await page.goto(page.base + `/verifikator/batch?id=${batchId}`);
    await $("#batch-aksi-v2").waitFor({ state: "visible" });
    const resP = page.waitForResponse((r) => r.url().endsWith(`/batch/${batchId}/terima`));
    await $("#tombol-terima-batch").click();
    const res = await resP;
    if (res.status() !== 200) return `accept answered ${res.status()}: ${await res.text()}`;
    await page.waitForFunction(() => /diterima/.test(document.getElementById("pesan-batch").textContent));
    note(`accepted: '${(await $("#pesan-batch").textContent()).trim()}'`);
    return true;
  });

  await step("the PNS's Akun Saya: accepted by Verifikator 2 (or the unit active)", () =>
    waitStep(pns, /Diterima Verifikator 2|Unit kerja aktif/, "accepted"));

  await step("Verifikator 2 rejects the PNS's correction report: a reason is required, then the PNS reads it", async () => {
    await page.goto(page.base + "/verifikator/koreksi");
    const card = `#daftar-koreksi [data-koreksi]`;
    await page.waitForFunction(() => !/^\s*$/.test(document.getElementById("koreksi-ringkas").textContent));
    const mine = page.locator(card).filter({ hasText: nip });
    if (!(await mine.count())) return `no open report of ${nip} (${(await $("#koreksi-ringkas").textContent()).trim()})`;
    await shot(page, "alur-verifikator-koreksi");
    const first = mine.first();
    let resP = page.waitForResponse((r) => r.url().includes("/putuskan"));
    await first.getByRole("button", { name: "Tolak" }).click();
    let res = await resP;
    page.errors.expect(res.url());
    if (res.status() !== 400) return `a rejection without reason answered ${res.status()}`;
    await page.waitForFunction(() => [...document.querySelectorAll("#daftar-koreksi [data-galat]")].some((p) => p.textContent.trim()));
    await first.locator("textarea").fill("Nama sesuai SK CPNS; gelar dicatat pada tahap pemutakhiran.");
    resP = page.waitForResponse((r) => r.url().includes("/putuskan"));
    await first.getByRole("button", { name: "Tolak" }).click();
    res = await resP;
    if (res.status() !== 200) return `rejection answered ${res.status()}: ${await res.text()}`;
    await keluar(page);
    const until = Date.now() + STEP_MS;
    for (;;) {
      await pns.goto(pns.base + "/akun");
      await pns.waitForFunction(() => !/Memuat/.test(document.getElementById("akun-koreksi").textContent));
      const t = await pns.locator("#akun-koreksi").textContent();
      if (/Ditolak/.test(t) && /SK CPNS/.test(t)) break;
      if (Date.now() > until) return `Akun Saya's reports: '${t.trim()}'`;
      await pns.waitForTimeout(1000);
    }
    await shot(pns, "alur-akun-setelah-verifikasi");
    return true;
  });

  await step("the admin finds the marking of this receipt in the audit log", async () => {
    await masuk(page, admin);
    await page.waitForURL(/\/verifikator\/audit/);
    await $("#audit-objek").fill(noReg);
    const resP = page.waitForResponse((r) => r.url().includes("/api/v1/verifikator/audit?") && r.url().includes("objek="));
    await $("#form-saring-audit button[type=submit]").click();
    await resP;
    await page.waitForFunction(() => document.querySelectorAll("#tabel-audit tbody tr").length > 0);
    const text = await $("#tabel-audit tbody").textContent();
    if (!text.includes("tanda_terima") || !text.includes(v1)) return `audit rows: '${text.slice(0, 200)}'`;
    await shot(page, "alur-verifikator-audit");
    await keluar(page);
    return true;
  });
  const errs = pns.errors.list();
  await pns.close();
  if (errs.length) throw new Error(`PNS tab: ${errs.join("; ")}`);
  return { v1, v2, admin, sandi: SANDI, batchId };
}
