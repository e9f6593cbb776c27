const describe = (el) => {
  let s = el.tagName.toLowerCase();
  if (el.id) s += '#' + el.id;
  const cls = (typeof el.className === 'string' ? el.className : '').trim().split(/\s+/).filter(Boolean);
  if (cls.length) s += '.' + cls.slice(0, 2).join('.');
  // A formula is named by its TeX source (MathML's annotation) where it has one.
  const tex = el.querySelector && el.querySelector('annotation');
  const html = el.querySelector && el.querySelector('.katex-html');
  // A table is named by its header row.
  const head = el.tagName === 'TABLE' && el.rows.length ? [...el.rows[0].cells].map(c => c.textContent.trim()).join(' | ') : null;
  const raw = head !== null ? head : tex ? tex.textContent : html ? html.textContent : (el.textContent || el.getAttribute('src') || '');
  const text = raw.replace(/\s+/g, ' ').trim();
  if (text) s += ' "' + (text.length > 60 ? text.slice(0, 60) + '…' : text) + '"';
  return s;
};
const settle = () => document.fonts.ready.then(() => new Promise(r => setTimeout(r, 50)));
// A CSS colour (`rgb(…)` or `rgba(…)`) as [r, g, b, a], or null.
const rgba = (css) => {
  const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(css || '');
  return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : null;
};
// WCAG 2.2's contrast ratio of two [r, g, b, …] colours.
const contrast = (a, b) => {
  const lum = (c) => {
    const ch = c.slice(0, 3).map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const [x, y] = [lum(a), lum(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
};
