const header = document.getElementById('mdbook-searchresults-header');
const list = document.getElementById('mdbook-searchresults');
if (!header || !list) return ['the page has no search box'];
const t0 = Date.now();
while (!header.innerText.trim() && Date.now() - t0 < 10000) await new Promise(r => setTimeout(r, 50));
if (!header.innerText.trim()) return ['the search did not answer within 10 s'];
return list.children.length ? [] : ['found nothing (' + header.innerText.trim() + ')'];
