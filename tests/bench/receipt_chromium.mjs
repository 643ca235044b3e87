// receipt_chromium.mjs -- the same two-half receipt rendered from HTML by
// headless Chromium, the way a team reaching for HTML-to-PDF would run it:
// one warm browser and page, page.setContent(html) + page.pdf() per receipt.
//   node receipt_chromium.mjs BENCH_JSON N OUT_PDF
// Prints {"n", "per_s", "cpu_per_s", "p50_ms", "p99_ms", "bytes"}: cpu_per_s
// counts the CPU time (user + system, /proc) of Chromium's every process
// (browser, renderer, GPU, utility) and of this node process over the loop.
// CHROMIUM: /usr/bin/chromium.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "../browser/package.json"));
const { chromium } = require("playwright-core");
const [jsonPath, nArg, outPdf] = process.argv.slice(2);
const d = JSON.parse(readFileSync(jsonPath, "utf8"));
const n = Number(nArg || 50);
const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

function qrSvg(rows) {
  const w = rows.length + 8;
  let rects = "";
  rows.forEach((row, y) => {
    for (let x = 0; x < row.length; ) {
      if (row[x] !== "1") { x++; continue; }
      const x0 = x;
      while (x < row.length && row[x] === "1") x++;
      rects += `<rect x="${x0 + 4}" y="${y + 4}" width="${x - x0}" height="1"/>`;
    }
  });
  return `<svg viewBox="0 0 ${w} ${w}" width="132pt" height="132pt" shape-rendering="crispEdges">${rects}</svg>`;
}

function half(who, note) {
  return `<section><div class="top"><b>BADAN KEPEGAWAIAN NEGARA</b><span>${who}</span></div>
<h1>BUKTI REGISTRASI e-PUPNS</h1><p class="sub">Pendataan Ulang Pegawai Negeri Sipil Elektronik</p><hr>
<div class="body"><table>
<tr><th>No. Registrasi</th><td class="no">${d.no}</td></tr><tr><th>NIP</th><td class="mono">${d.nip}</td></tr>
<tr><th>Nama</th><td><b>${esc(d.nama)}</b></td></tr><tr><th>Instansi</th><td>${esc(d.instansi)}</td></tr>
<tr><th>Unit Kerja</th><td>${esc(d.unit)}</td></tr><tr><th>Tanggal Registrasi</th><td>${d.waktu}</td></tr></table>
<div class="qr">${qrSvg(d.qr)}<small>Pindai untuk memeriksa keaslian</small></div></div>
<p class="note"><b>${note}</b><br><small>Keaslian dapat diperiksa dengan memindai kode QR.</small></p></section>`;
}

const html = `<!doctype html><html><head><meta charset="utf-8"><style>
@page { size: A4; margin: 0 } body { margin: 0; font-family: "DejaVu Sans"; font-size: 9.5pt }
section { box-sizing: border-box; height: 148.5mm; padding: 9mm 12mm; border: 0.6pt solid #888; margin: 0 4mm; }
.top { display: flex; justify-content: space-between } h1 { font-size: 17pt; margin: 4pt 0 0 } .sub { margin: 0; font-size: 8.5pt }
.body { display: flex; justify-content: space-between } th { text-align: left; font-weight: normal; width: 92pt; vertical-align: top }
.no { font-family: "DejaVu Sans Mono"; font-weight: bold; font-size: 26pt; letter-spacing: 2.5pt } .mono { font-family: "DejaVu Sans Mono"; font-weight: bold }
.qr { text-align: center } .qr small { display: block; font-size: 6.5pt } .cut { text-align: center; border-top: 0.7pt dashed #555; height: 0; font-size: 8pt }
</style></head><body>${half("Lembar untuk PNS", "Simpan lembar ini sebagai bukti registrasi Anda.")}
<div class="cut">✂ potong di sini</div>${half("Lembar untuk Verifikator 1", "Serahkan lembar ini kepada Verifikator 1 di tempat kerja Anda.")}</body></html>`;

// CPU seconds (utime + stime) of pid and all its descendants (node itself
// and the Chromium it launched).
const tick = 100; // USER_HZ on Linux
function treeCpu(root) {
  const stats = new Map();
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const st = readFileSync(`/proc/${e}/stat`, "utf8");
      const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
      stats.set(Number(e), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / tick });
    } catch { /* gone */ }
  }
  let total = 0;
  const want = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, v] of stats) if (!want.has(pid) && want.has(v.ppid)) { want.add(pid); grew = true; }
  }
  for (const pid of want) total += stats.get(pid)?.cpu ?? 0;
  return total;
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage();
let pdf;
for (let i = 0; i < 3; i++) { await page.setContent(html); pdf = await page.pdf({ format: "A4", printBackground: true }); }
const times = [];
const c0 = treeCpu(process.pid);
const t0 = performance.now();
for (let i = 0; i < n; i++) {
  const a = performance.now();
  await page.setContent(html);
  pdf = await page.pdf({ format: "A4", printBackground: true });
  times.push(performance.now() - a);
}
const total = performance.now() - t0;
const cpu = treeCpu(process.pid) - c0;
await browser.close();
writeFileSync(outPdf, pdf);
times.sort((a, b) => a - b);
console.log(JSON.stringify({ n, per_s: +(n / (total / 1e3)).toFixed(1), cpu_per_s: +(n / cpu).toFixed(1),
  cpu_ms: +(cpu * 1e3 / n).toFixed(2), p50_ms: +times[n >> 1].toFixed(2),
  p99_ms: +times[Math.min(n - 1, Math.floor(n * 0.99))].toFixed(2), bytes: pdf.length }));
