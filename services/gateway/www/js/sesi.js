/* sesi.js -- the bearer session of this browser tab (sessionStorage: gone
 * when the tab closes, never shared with other tabs or sent anywhere but
 * the Authorization header). One store per desk: "pns" or "verifikator". */
export function sesi(nama) {
  const key = "pupns.sesi." + nama;
  return {
    get() {
      try {
        const s = JSON.parse(sessionStorage.getItem(key) || "null");
        if (!s || !s.token) return null;
        if (s.sampai && Date.now() > s.sampai) { sessionStorage.removeItem(key); return null; }
        return s;
      } catch { return null; }
    },
    set(token, extra = {}, expiresIn = 0) {
      const s = { token, ...extra, sampai: expiresIn > 0 ? Date.now() + expiresIn * 1000 : 0 };
      try { sessionStorage.setItem(key, JSON.stringify(s)); } catch { /* private mode: this page only */ }
      return s;
    },
    clear() {
      try { sessionStorage.removeItem(key); } catch { /* nothing kept */ }
    },
  };
}
