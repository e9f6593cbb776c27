// Run once, on one page at the desktop width: every theme mdBook offers (the ids of its theme
// menu), switched on the page as mdBook switches them (a class on <html>), with transitions off
// so that colours are read at once. The links of the text, the toolbar's icons and title and the
// table of contents' links reach MIN_TEXT_CONTRAST against what lies under them.
await settle();
const found = [];
const html = document.documentElement;
const themes = [...document.querySelectorAll('#mdbook-theme-list button[id^="mdbook-theme-"]')]
  .map(b => b.id.slice('mdbook-theme-'.length)).filter(t => t !== 'default_theme');
if (!themes.length) return ['no theme menu (#mdbook-theme-list) to read the themes from'];
const was = themes.filter(t => html.classList.contains(t));
const still = document.createElement('style');
still.textContent = '*, *::before, *::after { transition: none !important; }';
document.head.append(still);
const under = (el) => {
  for (let a = el; a; a = a.parentElement) {
    const c = rgba(getComputedStyle(a).backgroundColor);
    if (c && c[3] > 0) return c;
  }
  return [255, 255, 255, 1];
};
const targets = [
  ['link in the text', 'main a[href]'],
  ['toolbar icon', '#mdbook-menu-bar .icon-button'],
  ['toolbar title', '#mdbook-menu-bar .menu-title'],
  ['table of contents link', '#mdbook-sidebar a[href]:not(.active)'],
  ['table of contents, the current page', '#mdbook-sidebar a.active'],
];
for (const theme of themes) {
  html.classList.remove(...themes);
  html.classList.add(theme);
  for (const [what, selector] of targets) {
    const el = document.querySelector(selector);
    if (!el) continue;
    const bg = under(el);
    const c = rgba(getComputedStyle(el).color) || [0, 0, 0, 1];
    // A translucent colour is seen over its background.
    const fg = c.slice(0, 3).map((v, i) => v * c[3] + bg[i] * (1 - c[3]));
    const ratio = contrast(fg, bg);
    if (ratio < MIN_TEXT_CONTRAST) {
      found.push(theme + ' theme: ' + what + ' rgb(' + fg.map(Math.round).join(', ') + ') on rgb(' +
        bg.slice(0, 3).join(', ') + ') at ' + ratio.toFixed(2) + ':1, under ' + MIN_TEXT_CONTRAST + ':1: ' + describe(el));
    }
  }
}
html.classList.remove(...themes);
html.classList.add(...was);
still.remove();
return found;
