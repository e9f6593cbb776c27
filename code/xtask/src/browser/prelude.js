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
