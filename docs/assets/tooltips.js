// Tooltips for the content's [title] elements (the glossary's abbreviations above all), from a few
// listeners on the document instead of one component per element.
//
// Why not Material's content.tooltips: it mounts a component on every [title] in the content at
// load (focus and hover listeners on the element and a dozen observable subscriptions each). A case
// page holds about 550 abbreviations and a quiz topic page about 900, so that mounting was most of
// the page's script time and nearly all of its Lighthouse blocking time (case page at 1,000 cases:
// 300-350 ms of blocking, 45-80 ms without it; quiz topic page 540-1,300 ms, 170-190 ms without).
// Turning the feature off alone would leave native title tooltips, which keyboard and touch readers
// never see. So the feature is off (mkdocs.yml) and this script draws the same tooltip (Material's
// md-tooltip2 markup and styles) whatever the number of terms:
// - on hover, on keyboard focus (the glossary makes the first use of each term focusable) and on a
//   tap; it stays while the pointer moves onto it, and Escape dismisses it (WCAG 1.4.13);
// - while shown, the host's title moves into the tooltip (no native tooltip on top of it) and the
//   host is described by it; the title is back as soon as it hides.
// Every term keeps its title in the HTML: the expansion without JavaScript, for assistive
// technology, and on paper (site.css prints it after the first use).
(function () {
  "use strict";

  const HOSTS = "[data-md-component=content] [title]:not([data-preview])";
  const HIDE_AFTER = 250;  // ms after the pointer leaves, as Material's, so it can reach the tooltip
  let tip = null;          // the one tooltip element, made on first use
  let host = null;         // the element it describes now
  let title = "";          // host's title while the tooltip shows it
  let timer = 0;

  function make() {
    tip = document.createElement("div");
    tip.className = "md-tooltip2 md-tooltip2--bottom";
    tip.setAttribute("role", "tooltip");
    tip.id = "__tooltip2_site";
    const inner = document.createElement("div");
    inner.className = "md-tooltip2__inner md-typeset";
    tip.append(inner);
    tip.addEventListener("mouseenter", () => window.clearTimeout(timer));
    tip.addEventListener("mouseleave", () => { if (host !== document.activeElement) hideSoon(); });
  }

  // Material's geometry: below the host, centred on it, kept inside the screen by its CSS.
  function place() {
    const rect = host.getBoundingClientRect();
    const set = (name, px) => tip.style.setProperty(name, `${px}px`);
    set("--md-tooltip-host-x", rect.x + window.scrollX);
    set("--md-tooltip-host-y", rect.y + window.scrollY);
    set("--md-tooltip-x", rect.width / 2);
    set("--md-tooltip-y", 8 + rect.height);
    set("--md-tooltip-tail", 0);
    set("--md-tooltip-width", tip.firstChild.getBoundingClientRect().width);
  }

  function show(el) {
    window.clearTimeout(timer);
    if (el === host) return;
    hide();
    const text = el.getAttribute("title");
    if (!text) return;
    if (!tip) make();
    host = el;
    title = text;
    el.removeAttribute("title");
    el.setAttribute("aria-describedby", tip.id);
    tip.firstChild.textContent = text;
    document.body.append(tip);
    place();
    const shown = el;
    window.requestAnimationFrame(() => { if (host === shown) tip.classList.add("md-tooltip2--active"); });
  }

  function hide() {
    window.clearTimeout(timer);
    if (!host) return;
    host.setAttribute("title", title);
    host.removeAttribute("aria-describedby");
    host = null;
    tip.classList.remove("md-tooltip2--active");
    tip.remove();
  }

  function hideSoon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(hide, HIDE_AFTER);
  }

  function hostOf(target) {
    if (!(target instanceof Element)) return null;
    if (host && host.contains(target)) return host;  // its title is in the tooltip now
    return target.closest(HOSTS);
  }

  document.addEventListener("mouseover", (event) => {
    const el = hostOf(event.target);
    if (el) show(el);
    else if (host && !(tip && tip.contains(event.target)) && host !== document.activeElement) hideSoon();
  });
  document.addEventListener("focusin", (event) => {
    const el = hostOf(event.target);
    if (el) show(el); else hide();
  });
  document.addEventListener("focusout", (event) => { if (event.target === host) hideSoon(); });
  document.addEventListener("keydown", (event) => { if (event.key === "Escape" && host) hide(); });
  // Scrolling the page or a table's box moves the host: the tooltip follows (capture: element
  // scroll events do not bubble).
  const follow = () => { if (host) { if (host.isConnected) place(); else hide(); } };
  document.addEventListener("scroll", follow, { capture: true, passive: true });
  window.addEventListener("resize", follow, { passive: true });
  // Instant navigation swaps the content: a tooltip of the old page goes with it.
  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(hide);
})();
