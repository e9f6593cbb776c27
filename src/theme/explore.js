// Figures a reader can move. A figure inside `<div class="explore">` has its data beside it
// (`figures/NAME.json`, written by the chapter's crate with `cargo xtask figures`: the sliders,
// the plot's mapping from data to pixels, and every curve at every setting). This script adds a
// native range input with a label for each slider and, when one moves, redraws the figure: it
// copies the static SVG, sets each curve's points to the values the crate computed for the new
// setting, fills the title in, and shows the copy in the same <img>, so that the figure keeps
// its dark-scheme block, size and alt text. It computes nothing. Without JavaScript, in print
// and in the PDF, the static SVG (drawn at the initial setting) is what shows.
(() => {
  'use strict';
  // The number a slider shows: 8, 4096 (the crate writes whole numbers; others as given).
  const show = (v) => String(v);
  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (m, k) => (k in values ? show(values[k]) : m));
  const points = (xs, ys, data) => {
    const px = (a, v) => a.px[0] + (v - a.from) / (a.to - a.from) * (a.px[1] - a.px[0]);
    return ys.map((y, j) => px(data.x, xs(j)).toFixed(2) + ',' + px(data.y, y).toFixed(2)).join(' ');
  };
  // The values of `series` at the setting `at` (slider id -> index): `by` names the sliders
  // it depends on, and `values` has one list per setting of those, the first varying slowest.
  const lookup = (data, series, at) => {
    let index = 0;
    for (const id of series.by) {
      const control = data.controls.find(c => c.id === id);
      index = index * control.values.length + at[id];
    }
    return series.values[index];
  };
  const start = async (box) => {
    const img = box.querySelector('img');
    if (!img) return;
    const svgUrl = img.getAttribute('src');
    const [data, svgText] = await Promise.all([
      fetch(svgUrl.replace(/\.svg$/, '.json')).then(r => r.json()),
      fetch(svgUrl).then(r => r.text()),
    ]);
    const name = svgUrl.replace(/^.*\//, '').replace(/\.svg$/, '');
    const controls = document.createElement('div');
    controls.className = 'explore-controls';
    const at = {};
    const inputs = data.controls.map(c => {
      const id = 'explore-' + name + '-' + c.id;
      const row = document.createElement('div');
      const label = document.createElement('label');
      label.htmlFor = id;
      label.textContent = c.label;
      const input = document.createElement('input');
      Object.assign(input, { type: 'range', id, min: 0, max: c.values.length - 1, step: 1, value: c.initial });
      input.dataset.control = c.id;
      const output = document.createElement('output');
      output.htmlFor = id;
      row.append(label, input, output);
      controls.append(row);
      at[c.id] = c.initial;
      return [c, input, output];
    });
    const draw = () => {
      const values = {};
      for (const [c, input, output] of inputs) {
        at[c.id] = Number(input.value);
        values[c.id] = c.values[at[c.id]];
        output.value = show(values[c.id]);
        input.setAttribute('aria-valuetext', c.label + ' ' + show(values[c.id]));
      }
      const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
      for (const series of data.series) {
        const lines = [...doc.querySelectorAll('polyline')].filter(p => p.getAttribute('stroke') === series.stroke);
        // The curve is the line of its colour with the most points (its legend sample has two).
        const curve = lines.reduce((a, b) => (b.getAttribute('points').trim().split(/\s+/).length >
          (a ? a.getAttribute('points').trim().split(/\s+/).length : 0) ? b : a), null);
        if (curve) curve.setAttribute('points', points(j => data.x.from + j, lookup(data, series, at), data));
      }
      for (const t of doc.querySelectorAll('text')) {
        if (t.textContent.trim() === data.title.drawn) t.textContent = fill(data.title.template, values);
      }
      const text = new XMLSerializer().serializeToString(doc);
      img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(text);
      img.alt = fill(data.alt.template, values);
      box.dataset.drawn = JSON.stringify(values);
    };
    for (const [, input] of inputs) input.addEventListener('input', draw);
    box.insertBefore(controls, box.firstChild);
    for (const [c, input, output] of inputs) {
      output.value = show(c.values[c.initial]);
      input.setAttribute('aria-valuetext', c.label + ' ' + show(c.values[c.initial]));
    }
    box.dataset.ready = 'true';
  };
  // mdBook's print page prints the whole book as it loads: there the static figure is the one
  // that matters (and what paper shows), so nothing starts.
  const printPage = /\/print\.html$/.test(location.pathname);
  const all = () => {
    for (const box of document.querySelectorAll('.explore')) {
      if (printPage) {
        box.dataset.ready = 'print';
        continue;
      }
      start(box).catch(e => {
        box.dataset.ready = 'failed';
        console.error('explore: ' + (e && e.message ? e.message : e));
      });
    }
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', all);
  else all();
})();
