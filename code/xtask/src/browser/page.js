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
