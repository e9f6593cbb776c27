await settle();
const found = [];
let closed = 0;
for (const d of document.querySelectorAll('details')) {
  const shown = [...d.children].some(c => c.tagName !== 'SUMMARY' && c.checkVisibility() && c.getBoundingClientRect().height > 0);
  if (!shown && closed++ < 3) found.push('prints closed: ' + describe(d.querySelector('summary') || d));
}
if (closed > 3) found.push('… and ' + (closed - 3) + ' more closed <details>');
for (const img of document.images) {
  if (!img.complete || img.naturalWidth === 0) found.push('image did not load: ' + describe(img));
}
// Laid out at the printed page's width (see `print_pdf`): nothing may reach past the page's
// edge (it would be cut off), and no box may hold content wider than itself (on paper it
// cannot scroll).
const main = document.querySelector('main') || document.body;
const edge = main.getBoundingClientRect().right;
// A formula that cannot break may end a line a pixel or two past the edge, and a space kept by
// `white-space: pre-wrap` (print.css sets it on code) hangs past it (8 px); both stay inside the
// page's 14 mm (53 px) margin, where they still print.
const SLACK = 12;
const cut = [];
for (const el of main.querySelectorAll('*')) {
  // KaTeX's MathML is laid out for screen readers but clipped to nothing on the page, and the
  // paths of its stretchy SVGs are clipped by their <svg>.
  if (el.closest('.katex-mathml') || el.ownerSVGElement) continue;
  const r = el.getBoundingClientRect();
  // KaTeX clips inside a formula on purpose (the tails of its stretchy SVGs); an inline box
  // has no scroll width of its own.
  const st = getComputedStyle(el);
  const clips = st.overflowX !== 'visible' && !st.display.startsWith('inline') &&
    !el.closest('.katex') && el.scrollWidth > el.clientWidth + 1;
  if (!(r.width > 0 && (r.right > edge + SLACK || clips))) continue;
  const block = el.closest('.katex-display, table, pre, figure, p, li, h1, h2, h3, h4, dd, blockquote') || el;
  if (cut.includes(block) || cut.some(c => c.contains(block))) continue;
  cut.push(block);
  if (cut.length <= 5) {
    const reach = Math.round(Math.max(r.right, block.getBoundingClientRect().left + block.scrollWidth) - main.getBoundingClientRect().left);
    found.push('cut off on paper (' + reach + ' px wide on a ' + Math.round(main.clientWidth) + ' px page): ' + describe(block));
  }
}
if (cut.length > 5) found.push('… and ' + (cut.length - 5) + ' more blocks cut off on paper');
return found;
