// Run after each key the check presses (`keyboard` in mod.rs); STEP names the step.
const found = [];
const el = document.activeElement;
const name = el && el !== document.body ? describe(el) : 'the page itself (nothing has focus)';
const text = document.getElementById('mdbook-content') || document.querySelector('main');
const toggle = document.querySelector('[aria-controls="mdbook-sidebar"]');
if (STEP === 'first') {
  // The first Tab stop is a link to the text, shown while it has focus, a target of 24 px.
  window.__firstStop = el;
  const href = el && el.tagName === 'A' ? el.getAttribute('href') || '' : '';
  const target = href.startsWith('#') ? document.getElementById(decodeURIComponent(href.slice(1))) : null;
  if (!target || !target.contains(document.querySelector('main'))) {
    found.push('focus order: the first Tab stop is ' + name + ', not a skip link to the text');
  } else {
    const r = el.getBoundingClientRect();
    const shown = r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
    if (!shown || r.height < MIN_TARGET_PX) {
      found.push('skip link ' + (shown ? Math.round(r.height) + ' px tall, under ' + MIN_TARGET_PX + ' px' : 'off screen') +
        ' while it has focus: ' + name);
    }
  }
} else if (STEP === 'skipped') {
  if (!text || !(el === text || text.contains(el))) found.push('the skip link leaves focus on ' + name + ', not on the text');
} else if (STEP === 'restart') {
  (window.__firstStop || document.body).focus();
} else if (STEP === 'toggle') {
  // With the table of contents hidden (a phone), the next Tab stop is its toggle.
  if (!toggle) found.push('no table of contents toggle ([aria-controls="mdbook-sidebar"])');
  else if (el !== toggle) found.push('the table of contents toggle cannot be reached with Tab: after the first stop, Tab goes to ' + name);
} else if (STEP === 'opened' || STEP === 'closed') {
  const open = html => html.classList.contains('sidebar-visible');
  if (open(document.documentElement) !== (STEP === 'opened')) {
    found.push('Enter on the table of contents toggle left it ' + (STEP === 'opened' ? 'closed' : 'open'));
  }
}
return found;
