// Figures a reader can move (`<div class="explore">`, drawn by src/theme/explore.js from the
// JSON beside the figure). EXPLORE_MODE says what to do:
// - 'sweep': wait for every such figure to start, check its controls (native range inputs with
//   a label, in the Tab order, on screen, legible), move every control through every setting,
//   read back what is drawn and compare it with the JSON, then put the controls back; the last
//   entry returned is `explore-inputs: N`, the number of controls, for the keyboard check;
// - 'focus': focus control EXPLORE_INDEX; returns `explore-focused: VALUE MAX`;
// - 'after': the key the check pressed must have moved control EXPLORE_INDEX to EXPLORE_EXPECT
//   with the focus still on it, and the figure must show that setting.
// The check reads the JSON itself and looks values up itself: it shares no code with the
// renderer.
const TOLERANCE_PX = 0.75;
const boxes = [...document.querySelectorAll('main .explore')];
const problems = [];
const sleep = (ms) => new Promise(r => setTimeout(r, ms));
const inputsOf = (box) => [...box.querySelectorAll('input')];
const jsonOf = async (box) => {
  const src = box.dataset.checkSrc;
  return (await fetch(src.replace(/\.svg$/, '.json'))).json();
};
// The values of series `s` at the setting `at` (control id -> index).
const expected = (data, s, at) => {
  let index = 0;
  for (const id of s.by) {
    const c = data.controls.find(c => c.id === id);
    index = index * c.values.length + at[id];
  }
  return s.values[index];
};
const settingOf = (data, box) => {
  const at = {};
  const values = {};
  for (const input of inputsOf(box)) {
    const c = data.controls.find(c => c.id === input.dataset.control);
    if (!c) continue;
    at[c.id] = Number(input.value);
    values[c.id] = c.values[at[c.id]];
  }
  return [at, values];
};
const fill = (t, values) => t.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
// What the figure's <img> shows now, as an SVG document.
const drawn = async (img) => {
  await img.decode().catch(() => {});
  const src = img.currentSrc || img.src;
  const text = src.startsWith('data:')
    ? decodeURIComponent(src.slice(src.indexOf(',') + 1))
    : await (await fetch(src)).text();
  return new DOMParser().parseFromString(text, 'image/svg+xml');
};
// Problems with what the figure shows against the JSON at the controls' setting.
const verify = async (box, data) => {
  const img = box.querySelector('img');
  const [at, values] = settingOf(data, box);
  const where = describe(img) + ' at ' + JSON.stringify(values);
  const doc = await drawn(img);
  const found = [];
  const unmap = (a, p) => a.from + (p - a.px[0]) / (a.px[1] - a.px[0]) * (a.to - a.from);
  const perPx = (a) => Math.abs((a.to - a.from) / (a.px[1] - a.px[0]));
  for (const s of data.series) {
    const want = expected(data, s, at);
    const lines = [...doc.querySelectorAll('polyline')].filter(p => p.getAttribute('stroke') === s.stroke)
      .map(p => p.getAttribute('points').trim().split(/\s+/).map(xy => xy.split(',').map(Number)));
    const got = lines.sort((a, b) => b.length - a.length)[0];
    if (!got || got.length !== want.length) {
      found.push('curve "' + s.label + '" has ' + (got ? got.length : 0) + ' points, the data ' + want.length + ': ' + where);
      continue;
    }
    let worst = [0, -1];
    got.forEach(([x, y], j) => {
      const dx = Math.abs(unmap(data.x, x) - (data.x.from + j)) / perPx(data.x);
      const dy = Math.abs(unmap(data.y, y) - want[j]) / perPx(data.y);
      if (Math.max(dx, dy) > worst[0]) worst = [Math.max(dx, dy), j];
    });
    if (worst[0] > TOLERANCE_PX) {
      const j = worst[1];
      found.push('curve "' + s.label + '" drawn ' + worst[0].toFixed(1) + ' px from the data (over ' + TOLERANCE_PX +
        ' px; point ' + j + ': ' + unmap(data.y, got[j][1]).toFixed(4) + ', data ' + want[j] + '): ' + where);
    }
  }
  const title = fill(data.title.template, values);
  if (![...doc.querySelectorAll('text')].some(t => t.textContent.trim() === title)) {
    found.push('title "' + title + '" not drawn: ' + where);
  }
  const alt = fill(data.alt.template, values);
  if (img.alt !== alt) found.push('alt text "' + img.alt + '" is not "' + alt + '": ' + where);
  return found;
};
const move = async (input, value) => {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  await sleep(0);
};
const all = boxes.flatMap(inputsOf);
if (EXPLORE_MODE === 'sweep') {
  for (const box of boxes) {
    const img = box.querySelector('img');
    if (!img) { problems.push('a figure a reader can move without its image: ' + describe(box)); continue; }
    box.dataset.checkSrc = img.getAttribute('src');
    for (let t = 0; t < 100 && !box.dataset.ready; t++) await sleep(50);
    // The book's print page keeps the static figure (what paper shows).
    if (box.dataset.ready === 'print' && /\/print\.html$/.test(location.pathname)) continue;
    if (box.dataset.ready !== 'true') {
      problems.push('figure a reader can move did not start (' + (box.dataset.ready || 'no answer in 5 s') + '): ' + describe(img));
      continue;
    }
    const data = await jsonOf(box);
    const vw = document.documentElement.clientWidth;
    // The page's background: the first of body and html that has one, else white.
    const pageBg = [document.body, document.documentElement].map(el => rgba(getComputedStyle(el).backgroundColor))
      .find(c => c && c[3] > 0) || [255, 255, 255, 1];
    const inputs = inputsOf(box);
    for (const c of data.controls) {
      const input = inputs.find(i => i.dataset.control === c.id);
      if (!input) { problems.push('no control for "' + c.label + '": ' + describe(img)); continue; }
      const label = input.labels && input.labels[0];
      const name = '"' + c.label + '" slider';
      if (input.type !== 'range') problems.push(name + ' is an <input type=' + input.type + '>, not a native range input: ' + describe(img));
      if (!label || label.textContent.trim() === '') problems.push(name + ' has no <label>: ' + describe(img));
      if (input.disabled || input.tabIndex < 0) problems.push(name + ' is not in the Tab order: ' + describe(img));
      if (Number(input.min) !== 0 || Number(input.max) !== c.values.length - 1 || Number(input.step) !== 1) {
        problems.push(name + ' runs ' + input.min + '..' + input.max + ' by ' + input.step + ', not over its ' + c.values.length + ' values: ' + describe(img));
      }
      for (const el of [input, label].filter(Boolean)) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.left < -1 || r.right > vw + 1) {
          problems.push(name + ': its ' + el.tagName.toLowerCase() + ' is off the ' + vw + ' px screen (' + Math.round(r.left) + '..' + Math.round(r.right) + ' px): ' + describe(img));
        }
      }
      if (label) {
        const st = getComputedStyle(label);
        const ratio = contrast(rgba(st.color) || [0, 0, 0, 1], pageBg);
        if (ratio < 4.5) problems.push(name + ': its label has ' + ratio.toFixed(2) + ':1 against the page (under 4.5:1): ' + describe(img));
        if (parseFloat(st.fontSize) < 12) problems.push(name + ': its label is ' + st.fontSize + ' (under 12px): ' + describe(img));
      }
    }
    if (problems.length) continue;
    // Every setting, the first control varying slowest; then back to the start.
    const sizes = data.controls.map(c => c.values.length);
    const total = sizes.reduce((a, b) => a * b, 1);
    let wrong = 0;
    for (let k = 0; k < total && wrong < 3; k++) {
      let rest = k;
      const idx = sizes.map((_, i) => { const n = sizes.slice(i + 1).reduce((a, b) => a * b, 1); const v = Math.floor(rest / n); rest %= n; return v; });
      for (const [i, c] of data.controls.entries()) await move(inputs.find(x => x.dataset.control === c.id), idx[i]);
      const found = await verify(box, data);
      wrong += found.length ? 1 : 0;
      problems.push(...found);
    }
    for (const c of data.controls) await move(inputs.find(x => x.dataset.control === c.id), c.initial);
  }
  problems.push('explore-inputs: ' + all.length);
} else {
  const input = all[EXPLORE_INDEX];
  const box = input.closest('.explore');
  const name = 'the "' + (input.labels[0] ? input.labels[0].textContent.trim() : input.id) + '" slider';
  if (EXPLORE_MODE === 'focus') {
    input.focus();
    if (document.activeElement !== input) problems.push(name + ' does not take the focus: ' + describe(box));
    else problems.push('explore-focused: ' + input.value + ' ' + input.max);
  } else {
    await sleep(50);
    if (document.activeElement !== input) problems.push(name + ' lost the focus to an arrow key: ' + describe(box));
    if (Number(input.value) !== EXPLORE_EXPECT) {
      problems.push(name + ' is at ' + input.value + ' after an arrow key, not ' + EXPLORE_EXPECT + ': ' + describe(box));
    } else {
      problems.push(...await verify(box, await jsonOf(box)));
    }
    const c = (await jsonOf(box)).controls.find(c => c.id === input.dataset.control);
    if (c) await move(input, c.initial);
  }
}
return problems;
