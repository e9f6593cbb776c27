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
return found;
