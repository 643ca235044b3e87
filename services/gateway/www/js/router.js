/* router.js -- the portal's pages are real paths (history.pushState): one
 * <section data-view="/path"> per page, shown alone; the page's h1 gets the
 * focus and names the document, so a screen reader hears where it is. The
 * gateway serves the same HTML for each of these paths (static_files.c). */
import { $, $$ } from "./ui.js";

const rute = new Map(); // path -> enter(): undefined, or a path to go to instead
let awal = true;

/* Registers a page; enter runs before it is shown and may redirect. */
export function halaman(path, enter = () => undefined) {
  rute.set(path, enter);
}

function tampilkan(path) {
  const view = $(`section[data-view="${CSS.escape(path)}"]`) || $('section[data-view="404"]');
  for (const s of $$("section[data-view]")) s.hidden = s !== view;
  for (const a of $$("nav a[data-menu]")) {
    const cur = a.dataset.menu === path || (a.dataset.menu !== "/" && path.startsWith(a.dataset.menu + "/"));
    if (cur) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const h1 = $("h1", view);
  const name = h1 ? h1.textContent.trim() : "";
  document.title = name ? `${name} — e-PUPNS` : "e-PUPNS";
  // The first page of a visit is read from the top; later ones start at their heading.
  if (!awal && h1) h1.focus();
  else window.scrollTo(0, 0);
  awal = false;
}

async function buka(path) {
  const enter = rute.get(path);
  if (enter) {
    const lain = await enter();
    if (typeof lain === "string" && lain !== path) {
      history.replaceState(null, "", lain);
      return buka(new URL(lain, location.href).pathname);
    }
  }
  tampilkan(rute.has(path) ? path : "404");
  if (!awal) window.scrollTo(0, 0);
}

/* Goes to a page of the portal (adds to the history unless replace). */
export function pergi(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", path);
  else if (location.pathname + location.search + location.hash !== path) history.pushState(null, "", path);
  return buka(new URL(path, location.href).pathname);
}

/* Starts routing: the current address, the Back button, and every plain
 * click on a link to one of the registered pages. */
export function mulai() {
  window.addEventListener("popstate", () => buka(location.pathname));
  document.addEventListener("click", (ev) => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const a = ev.target.closest && ev.target.closest("a[href]");
    if (!a || a.target || a.hasAttribute("download")) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || !rute.has(url.pathname)) return;
    if (url.pathname === location.pathname && url.hash && !url.search) return; // an anchor on this page
    ev.preventDefault();
    pergi(url.pathname + url.search + url.hash);
  });
  return buka(location.pathname);
}
