#!/usr/bin/env node
// Typeset the math of built HTML pages at build time, so that pages need no
// math JavaScript: every \( ... \) and \[ ... \] that Sphinx writes into
// <span|div class="math ..."> becomes MathJax 3 SVG (with hidden MathML for
// screen readers), and the page's MathJax script and configuration go.
//
//   node tools/typeset_math.js PAGE.html ...
//
// Exits non-zero, naming the page and the TeX, when MathJax reports an error.

'use strict';

const fs = require('fs');
const {mathjax} = require('mathjax-full/js/mathjax.js');
const {TeX} = require('mathjax-full/js/input/tex.js');
const {SVG} = require('mathjax-full/js/output/svg.js');
const {liteAdaptor} = require('mathjax-full/js/adaptors/liteAdaptor.js');
const {RegisterHTMLHandler} = require('mathjax-full/js/handlers/html.js');
const {AssistiveMmlHandler} = require('mathjax-full/js/a11y/assistive-mml.js');
const {AllPackages} = require('mathjax-full/js/input/tex/AllPackages.js');

const adaptor = liteAdaptor();
AssistiveMmlHandler(RegisterHTMLHandler(adaptor));
const tex = new TeX({packages: AllPackages.filter((name) => name !== 'bussproofs'),
                     formatError: (jax, error) => { throw error; }});
const svg = new SVG({fontCache: 'global'});
const doc = mathjax.document('', {InputJax: tex, OutputJax: svg});

// The hidden MathML that screen readers read (MathJax's assistive-mml CSS).
const ASSISTIVE_CSS = 'mjx-assistive-mml{position:absolute!important;top:0;left:0;'
  + 'clip:rect(1px,1px,1px,1px);padding:1px 0 0 0!important;border:0!important;'
  + 'display:block!important;width:auto!important;overflow:hidden!important;'
  + 'user-select:none}mjx-container[display="true"] mjx-assistive-mml{width:100%!important}';
const MARK = 'data-math-typeset';

const ENTITIES = {'&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&#39;': "'"};

function unescape(html) {
  return html.replace(/&(lt|gt|amp|quot|#39);/g, (entity) => ENTITIES[entity]);
}

// Groups that MathJax's own CSS selects by their MathML element; other groups exist only
// for its scripts (menus, explorers), which the pages do not load.
const STYLED_GROUPS = new Set(['mtable', 'merror', 'maction']);
const UNUSED_ATTRIBUTES = ['data-c', 'data-mjx-texclass', 'focusable', 'xmlns', 'xmlns:xlink'];
// MathJax's rule `use[data-c] {stroke-width: 3}`, for glyphs that no longer carry data-c.
const GLYPH_CSS = 'mjx-container[jax="SVG"] use {\n  stroke-width: 3;\n}\n';

// The SVG of a formula without what only MathJax's scripts and XML files need: the same
// picture in fewer bytes for the page to parse (3.1's HTML 829 -> 700 KB).
function lighten(node) {
  for (const child of [...adaptor.childNodes(node)]) {
    if (adaptor.kind(child) !== '#text' && adaptor.kind(child) !== 'mjx-assistive-mml') {
      lighten(child);
    }
  }
  for (const name of UNUSED_ATTRIBUTES) {
    adaptor.removeAttribute(node, name);
  }
  const mml = adaptor.getAttribute(node, 'data-mml-node');
  if (adaptor.kind(node) !== 'g' || mml === null || STYLED_GROUPS.has(mml)) {
    return;
  }
  adaptor.removeAttribute(node, 'data-mml-node');
  if (adaptor.allAttributes(node).length === 0) {  // a bare group: its children take its place
    for (const child of [...adaptor.childNodes(node)]) {
      adaptor.insert(child, node);
    }
    adaptor.remove(node);
  }
}

function render(texSource, display, page) {
  try {
    const node = doc.convert(unescape(texSource), {display});
    lighten(adaptor.firstChild(node));
    return adaptor.outerHTML(node);
  } catch (error) {
    throw new Error(`${page}: cannot typeset ${JSON.stringify(texSource)}: ${error.message}`);
  }
}

function typesetPage(page) {
  let html = fs.readFileSync(page, 'utf8');
  if (html.includes(MARK)) {
    return 0;
  }
  let count = 0;
  svg.fontCache.clearCache();
  // Inline math: <span class="math notranslate nohighlight">\( ... \)</span>
  html = html.replace(/(<span class="math[^"]*">)\\\(([\s\S]*?)\\\)(<\/span>)/g,
    (all, open, source, close) => { count += 1; return open + render(source, false, page) + close; });
  // Display math: <div class="math ..."> [eqno span] \[ ... \] </div>
  html = html.replace(/(<div class="math[^"]*"[^>]*>\s*(?:<span class="eqno">[\s\S]*?<\/span>)?)\\\[([\s\S]*?)\\\](\s*<\/div>)/g,
    (all, open, source, close) => { count += 1; return open + render(source, true, page) + close; });
  // Pages no longer need MathJax: its configuration and its script go.
  html = html.replace(/<script>window\.MathJax = [^<]*<\/script>\s*/g, '');
  html = html.replace(/<script[^>]*src="[^"]*mathjax\/tex-mml-chtml\.js[^"]*"[^>]*><\/script>\s*/g, '');
  if (count > 0) {
    const css = adaptor.textContent(svg.styleSheet(doc)) + GLYPH_CSS + ASSISTIVE_CSS;
    html = html.replace('</head>', `<style ${MARK}>${css}</style>\n</head>`);
    // The glyph shapes, once per page; every formula refers to them by id.
    const cache = adaptor.outerHTML(svg.svg('svg', {id: 'MJX-SVG-global-cache', 'aria-hidden': 'true',
      style: {display: 'none'}}, [svg.fontCache.getCache()]));
    html = html.replace(/(<body\s[^>]*>)/, `$1\n${cache}`);
  }
  fs.writeFileSync(page, html);
  return count;
}

let total = 0;
for (const page of process.argv.slice(2)) {
  total += typesetPage(page);
}
console.log(`typeset_math: ${total} formulas in ${process.argv.length - 2} pages`);
