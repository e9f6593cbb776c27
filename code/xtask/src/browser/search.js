const header = document.getElementById('mdbook-searchresults-header');
const list = document.getElementById('mdbook-searchresults');
if (!header || !list) return ['the page has no search box'];
const t0 = Date.now();
while (!header.innerText.trim() && Date.now() - t0 < 10000) await new Promise(r => setTimeout(r, 50));
if (!header.innerText.trim()) return ['the search did not answer within 10 s'];
const results = [...list.children];
// A term the check expects to find nothing (a TeX command name: the index holds no TeX).
if (new URLSearchParams(location.search).has('expect-none')) {
  if (!results.length) return [];
  const first = results[0].querySelector('a');
  return ['found ' + results.length + ' result(s), and should find none: the first is ' +
    (first ? first.getAttribute('href') : '?') + ' "' + results[0].innerText.replace(/\s+/g, ' ').trim().slice(0, 100) + '"'];
}
if (!results.length) return ['found nothing (' + header.innerText.trim() + ')'];
// Snippets read as prose: no TeX command in any result's teaser.
const found = [];
for (const li of results) {
  const teaser = li.querySelector('.teaser') || li;
  const text = teaser.innerText.replace(/\s+/g, ' ').trim();
  const tex = /\\[A-Za-z]{2,}/.exec(text);
  if (tex && found.length < 3) {
    const a = li.querySelector('a');
    found.push('snippet with TeX (' + tex[0] + ') in ' + (a ? a.getAttribute('href') : '?') + ': "' +
      text.slice(Math.max(0, tex.index - 40), tex.index + 60) + '"');
  }
}
return found;
