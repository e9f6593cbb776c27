// The book's layout and keyboard helpers (tables, figures, a skip link, the menu), linked from
// head.hbs; the rules they switch on are in
// fit.css, and the browser check (`cargo xtask browser`) holds what they promise. Without
// JavaScript every table still scrolls sideways inside mdBook's .table-wrapper.
(() => {
    'use strict';
    // A right-aligned cell holds a number, which must not break (1.2e-17 would break after its
    // minus sign), unless it is prose: a cell with a word of two or more letters may wrap.
    const prose = /\p{L}{2,}/u;
    const markCells = () => {
        for (const td of document.querySelectorAll('.content td[style*="right"]')) {
            // A formula counts by what it shows, not by its MathML's TeX source.
            const text = [...td.childNodes]
                .map((n) => (n.querySelector && n.querySelector('.katex-html')) || n)
                .map((n) => n.textContent)
                .join('');
            if (prose.test(text)) td.classList.add('prose');
        }
    };
    // A table wider than its column is marked `wide`: its first column and its header stay in
    // view while it scrolls, its box is at most a screen tall (so its sideways scrollbar is on
    // screen with it), and its right edge fades while there is more to the right.
    const markWide = () => {
        for (const w of document.querySelectorAll('.content .table-wrapper')) {
            w.classList.remove('wide');
            const wide = w.scrollWidth > w.clientWidth + 1;
            w.classList.toggle('wide', wide);
            if (wide && !w.hasAttribute('tabindex')) {
                // A box that scrolls is reachable with the keyboard, and says what it holds.
                w.setAttribute('tabindex', '0');
                w.setAttribute('role', 'region');
                const head = w.querySelector('th');
                const name = head ? head.textContent.trim() : '';
                w.setAttribute('aria-label', 'table, scrolls sideways' + (name ? ': ' + name : ''));
            }
            markEnd(w);
        }
    };
    // A figure wider than its box (on a phone) is marked the same way, for the same fade.
    const markFigures = () => {
        for (const f of document.querySelectorAll('.content figure.figure')) {
            f.classList.toggle('wide', f.scrollWidth > f.clientWidth + 1);
            markEnd(f);
        }
    };
    const markEnd = (w) => {
        w.classList.toggle('at-end', w.scrollLeft + w.clientWidth >= w.scrollWidth - 1);
    };
    // On paper nothing scrolls: a formula or a table still wider than the page after its cells
    // wrap is scaled down to the page's width. This runs when the page is laid out for print
    // media (the book's PDF is printed that way, at the page's width; see xtask's browser check).
    const print = window.matchMedia('print');
    const fitPrint = () => {
        for (const el of document.querySelectorAll('.content .katex-display, .content table')) {
            el.style.zoom = '';
        }
        if (!print.matches) return;
        for (const el of document.querySelectorAll('.content .katex-display, .content table')) {
            const box = el.classList.contains('katex-display') ? el : el.parentElement;
            const inner = el.classList.contains('katex-display') ? el.scrollWidth : el.offsetWidth;
            const room = box.clientWidth;
            if (inner > room + 1) el.style.zoom = String(Math.floor((room / inner) * 1000) / 1000);
        }
    };
    // Keyboard: the first Tab stop of every page is a link past the menu and the table of
    // contents to the page's text (WCAG 2.2, 2.4.1), and the table of contents' toggle, which
    // mdBook writes as a <label> (no Tab stop), is a button a keyboard reaches and presses; on a
    // phone it is the only way to the table of contents.
    const skipLink = () => {
        const target = document.getElementById('mdbook-content');
        if (!target || document.querySelector('a.skip-link')) return;
        target.setAttribute('tabindex', '-1');
        const link = document.createElement('a');
        link.className = 'skip-link';
        link.href = '#mdbook-content';
        link.textContent = 'Skip to the text';
        // Focus moves to the text itself: mdBook's 404 page sets a <base>, against which the
        // fragment alone would load another page.
        link.addEventListener('click', (e) => {
            e.preventDefault();
            target.focus();
        });
        document.body.prepend(link);
    };
    const toggleByKeyboard = () => {
        const toggle = document.getElementById('mdbook-sidebar-toggle');
        if (!toggle || toggle.tagName !== 'LABEL' || toggle.hasAttribute('tabindex')) return;
        toggle.setAttribute('tabindex', '0');
        toggle.setAttribute('role', 'button');
        toggle.addEventListener('keydown', (e) => {
            if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                toggle.click();
            }
        });
    };
    // The printed book: mdBook's print page (every chapter in order, which the book's PDF is
    // printed from) opens with a title page and a contents list linking every chapter and
    // section, both shown on paper only (fit.css). Headings are left alone: the PDF's bookmarks
    // are built from them.
    const frontMatter = () => {
        const main = document.querySelector('#mdbook-content main');
        if (!/(^|\/)print\.html$/.test(location.pathname) || !main || main.querySelector('.print-front')) return;
        const el = (tag, cls, text) => {
            const e = document.createElement(tag);
            if (cls) e.className = cls;
            if (text) e.textContent = text;
            return e;
        };
        // A heading's words as shown (a formula by its KaTeX HTML, not its MathML as well).
        const words = (h) => {
            const copy = h.cloneNode(true);
            copy.querySelectorAll('.katex-mathml').forEach((m) => m.remove());
            return copy.textContent.replace(/\s+/g, ' ').trim();
        };
        const front = el('section', 'print-front');
        front.setAttribute('aria-label', 'Title page and contents');
        const title = el('div', 'print-title');
        const name = document.querySelector('.menu-title');
        title.append(el('p', 'print-book-title', name ? name.textContent.trim() : document.title));
        const about = document.querySelector('meta[name="description"]');
        if (about && about.content) title.append(el('p', 'print-book-about', about.content));
        front.append(title);
        const contents = el('nav', 'print-contents');
        contents.setAttribute('aria-label', 'Contents');
        contents.append(el('p', 'print-contents-title', 'Contents'));
        const list = el('ol');
        for (const h of main.querySelectorAll('h1[id], h2[id]')) {
            const item = el('li', h.tagName === 'H1' ? 'chapter' : 'section');
            const link = el('a', '', words(h));
            link.href = '#' + h.id;
            item.append(link);
            list.append(item);
        }
        contents.append(list);
        front.append(contents);
        main.prepend(front);
    };
    const start = () => {
        frontMatter();
        skipLink();
        toggleByKeyboard();
        markCells();
        markWide();
        markFigures();
        fitPrint();
        print.addEventListener('change', fitPrint);
        document.addEventListener('scroll', (e) => {
            const w = e.target;
            if (w instanceof Element && w.matches('.table-wrapper, figure.figure')) markEnd(w);
        }, { capture: true, passive: true });
        let pending = 0;
        window.addEventListener('resize', () => {
            cancelAnimationFrame(pending);
            pending = requestAnimationFrame(() => {
                markWide();
                markFigures();
            });
        });
        window.addEventListener('load', markFigures);
        // Web fonts change widths once they load.
        document.fonts.ready.then(() => {
            markWide();
            markFigures();
            fitPrint();
        });
    };
    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', start);
    } else {
        start();
    }
})();
