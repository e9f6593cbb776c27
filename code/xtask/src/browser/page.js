await settle();
const found = [];
const vw = document.documentElement.clientWidth;
const faces = {};
document.fonts.forEach(f => {
  const fam = f.family.replace(/["']/g, '');
  (faces[fam] = faces[fam] || []).push(f.status);
});
const badMath = new Map();
for (const el of document.querySelectorAll('.katex-html *')) {
  if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
  const fam = getComputedStyle(el).fontFamily.split(',')[0].trim().replace(/["']/g, '');
  let why = null;
  if (!fam.startsWith('KaTeX_')) {
    why = 'laid out in ' + fam + ', not in a KaTeX font';
  } else if (!(faces[fam] || []).includes('loaded')) {
    why = 'its font ' + fam + ' did not load (' + (faces[fam] || ['no @font-face for it']).join(', ') + ')';
  }
  const formula = el.closest('.katex') || el;
  if (why && !badMath.has(formula)) badMath.set(formula, why);
}
const silent = [...document.querySelectorAll('.katex')].filter(k => !k.querySelector('.katex-mathml math'));
silent.slice(0, 3).forEach(k => found.push('KaTeX ' + describe(k) + ': no MathML, so screen readers skip it (set output = "htmlAndMathml")'));
if (silent.length > 3) found.push('… and ' + (silent.length - 3) + ' more formulas without MathML');
[...badMath].slice(0, 3).forEach(([el, why]) => found.push('KaTeX ' + describe(el) + ': ' + why));
if (badMath.size > 3) found.push('… and ' + (badMath.size - 3) + ' more formulas like these');
for (const img of document.images) {
  if (!img.complete || img.naturalWidth === 0) found.push('image did not load: ' + describe(img));
}
const main = document.querySelector('main') || document.body;
// Inside `main`, a box that scrolls or clips holds its content: the box itself is measured.
const held = (el) => {
  for (let a = el.parentElement; a && a !== main.parentElement; a = a.parentElement) {
    if (getComputedStyle(a).overflowX !== 'visible') return true;
  }
  return false;
};
const wide = [];
for (const el of main.querySelectorAll('*')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.right <= vw + 1 || held(el)) continue;
  const block = el.closest('.katex-display, table, pre, figure, p, li, h1, h2, h3, h4, dd, blockquote') || el;
  if (wide.includes(block)) continue;
  wide.push(block);
  const reach = Math.max(r.right, block.getBoundingClientRect().left + block.scrollWidth);
  found.push('wider than the ' + vw + ' px viewport (reaches ' + Math.round(reach) +
    ' px) outside any box that scrolls: ' + describe(block));
}
// A table wider than its box scrolls sideways; a reader must be able to tell, and to keep their
// place: while columns lie out of sight the box shows a cue (its right edge fades, a mask), the
// first column stays put (sticky), and the box is no taller than the screen, so that its
// sideways scrollbar is on screen with it.
const vh = window.innerHeight;
for (const box of main.querySelectorAll('.table-wrapper')) {
  const table = box.querySelector('table');
  if (!table || box.scrollWidth <= box.clientWidth + 1) continue;
  const st = getComputedStyle(box);
  const why = [];
  const end = box.scrollLeft + box.clientWidth >= box.scrollWidth - 1;
  if (!end && st.maskImage === 'none' && st.webkitMaskImage === 'none') why.push('no cue that it scrolls');
  const first = table.querySelector('tbody tr > :first-child');
  if (first && getComputedStyle(first).position !== 'sticky') why.push('its first column scrolls away');
  const h = box.getBoundingClientRect().height;
  if (h > vh + 1) why.push(Math.round(h) + ' px tall, so its sideways scrollbar is off the ' + vh + ' px screen');
  if (why.length) found.push('table ' + table.scrollWidth + ' px wide in a ' + box.clientWidth + ' px box: ' + why.join('; ') + ': ' + describe(table));
}
// Listings: mdBook's code box scrolls sideways, so a line longer than the box is cut off at its
// right edge until the reader scrolls. Where the column has its full width (a desktop window,
// `LISTING_FULL_WIDTH_PX` and wider), the theme gives a listing room for the longest line
// rustfmt writes, and no line may run past its box; on a narrower screen a listing scrolls.
if (window.innerWidth >= LISTING_FULL_WIDTH_PX) {
  for (const code of main.querySelectorAll('pre > code')) {
    if (code.scrollWidth <= code.clientWidth + 1) continue;
    const lines = code.textContent.split('\n');
    const at = lines.reduce((best, l, i) => (l.length > lines[best].length ? i : best), 0);
    const line = lines[at].trim();
    found.push('listing line wider than its box (' + code.scrollWidth + ' px of text in a ' + code.clientWidth +
      ' px box; line ' + (at + 1) + ', ' + lines[at].length + ' characters: "' +
      (line.length > 50 ? line.slice(0, 50) + '…' : line) + '"): ' + describe(code.parentElement));
  }
}
// Review questions and solutions open from their <summary>, a target a pointer must hit: at
// least MIN_TARGET_PX tall and wide (WCAG 2.2, 2.5.8).
const small = [...main.querySelectorAll('summary')].filter(el => {
  const r = el.getBoundingClientRect();
  return r.width > 0 && (r.height < MIN_TARGET_PX - 0.5 || r.width < MIN_TARGET_PX - 0.5);
});
small.slice(0, 3).forEach(el => {
  const r = el.getBoundingClientRect();
  found.push('target ' + Math.round(r.width) + ' × ' + r.height.toFixed(1) + ' px, under ' + MIN_TARGET_PX + ' px: ' + describe(el));
});
if (small.length > 3) found.push('… and ' + (small.length - 3) + ' more targets under ' + MIN_TARGET_PX + ' px');
// Figures: an image, not a control (mdBook's zoom wraps each in a label with a checkbox, a Tab
// stop that screen readers announce as a checkbox); text no smaller than the phone minimum as
// the figure is shown; a box that scrolls shows a cue; and a background that does not stand out
// from the page's (a white box on a dark theme).
const pageBg = (() => {
  for (const el of [document.body, document.documentElement]) {
    const c = rgba(getComputedStyle(el).backgroundColor);
    if (c && c[3] > 0) return c;
  }
  return [255, 255, 255, 1];
})();
for (const img of main.querySelectorAll('img[src*="figures/"]')) {
  const r = img.getBoundingClientRect();
  if (r.width === 0) continue;
  const label = img.closest('label, a, button');
  const input = (label || img.parentElement).querySelector('input');
  if (label || input || img.hasAttribute('tabindex')) {
    const role = input ? 'a Tab stop announced as a ' + (input.type || 'control') : 'inside a ' + (label || img).tagName.toLowerCase();
    found.push('figure is a control (' + role + '), not an image: ' + describe(img));
  }
  let svg = '';
  try { svg = await (await fetch(img.currentSrc || img.src)).text(); } catch (e) { svg = ''; }
  const vb = /viewBox="[\d.\s-]*?\s([\d.]+)\s+[\d.]+"/.exec(svg) || /<svg[^>]*\swidth="([\d.]+)/.exec(svg);
  const sizes = [...svg.matchAll(/<text\b[^>]*font-size="([\d.]+)[^>]*>([^<]*)</g)]
    .filter(m => m[2].trim()).map(m => parseFloat(m[1]));
  if (vb && sizes.length) {
    const shown = Math.min(...sizes) * r.width / parseFloat(vb[1]);
    if (shown < MIN_FIGURE_TEXT_PX - 0.05) {
      found.push('figure text ' + shown.toFixed(1) + ' px as shown (' + Math.round(r.width) + ' px wide), under ' +
        MIN_FIGURE_TEXT_PX + ' px: ' + describe(img));
    }
  }
  for (let box = img.parentElement; box && box !== main; box = box.parentElement) {
    if (box.scrollWidth <= box.clientWidth + 1 || getComputedStyle(box).overflowX === 'visible') continue;
    const st = getComputedStyle(box);
    const end = box.scrollLeft + box.clientWidth >= box.scrollWidth - 1;
    if (!end && st.maskImage === 'none' && st.webkitMaskImage === 'none') {
      found.push('figure ' + Math.round(r.width) + ' px wide in a ' + box.clientWidth + ' px box: no cue that it scrolls: ' + describe(img));
    }
    break;
  }
  if (img.complete && img.naturalWidth > 0) {
    const c = document.createElement('canvas');
    c.width = 2; c.height = 2;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0, 2, 2, 0, 0, 2, 2);
    const px = [...g.getImageData(1, 1, 1, 1).data];
    const ratio = contrast(px, pageBg);
    if (ratio > MAX_FIGURE_GLARE) {
      found.push('figure background rgb(' + px.slice(0, 3).join(', ') + ') stands out from the page\'s rgb(' +
        pageBg.slice(0, 3).join(', ') + ') at ' + ratio.toFixed(2) + ':1 (over ' + MAX_FIGURE_GLARE + ':1): ' + describe(img));
    }
  }
}
const sw = document.documentElement.scrollWidth;
if (!wide.length && sw > vw + 1) {
  // Something outside the content (or positioned out of it) widens the page:   // name the outermost element whose right edge is the page's.
  const far = [...document.body.querySelectorAll('*')].find(el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && Math.abs(r.right + window.scrollX - sw) < 2;
  });
  found.push('the page scrolls sideways (' + sw + ' px wide in ' + vw + ' px): ' +
    (far ? describe(far) + ' ends at its right edge' : 'no element ends at its right edge'));
}
return found;
