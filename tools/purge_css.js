#!/usr/bin/env node
// Cut the theme's stylesheets down to the rules the built book can use, so that
// a page's render-blocking CSS shrinks from about 87 KB compressed to about 27 KB
// (pydata-sphinx-theme.css alone carries all of Bootstrap).
//
//   node tools/purge_css.js BUILD_DIR
//
// PurgeCSS keeps a selector when every class, id and element it names occurs
// as a word in the built pages or in any of their scripts, so classes that the
// theme's, Bootstrap's or our own JavaScript adds later (dark mode, dropdowns,
// search results, the widgets) stay. CSS variables, keyframes and font faces
// are all kept. Only the stylesheets below are rewritten, in place; the book's
// own (book.css, page-speed.css) are small and left as they are.

'use strict';

const fs = require('fs');
const path = require('path');
const {PurgeCSS} = require('purgecss');

const STYLESHEETS = [
  '_static/basic.css',
  '_static/styles/pydata-sphinx-theme.css',
  '_static/styles/sphinx-book-theme.css',
  '_static/sphinx-design.min.css',
  '_static/mystnb.*.css',
];

async function main() {
  const build = process.argv[2];
  if (!build || !fs.existsSync(path.join(build, 'index.html'))) {
    throw new Error(`purge_css: ${build} is not a built book (no index.html)`);
  }
  const results = await new PurgeCSS().purge({
    content: [`${build}/**/*.html`, `${build}/**/*.js`],
    css: STYLESHEETS.map((sheet) => `${build}/${sheet}`),
    variables: false,
    keyframes: false,
    fontFace: false,
  });
  const found = new Set(results.map((result) => path.basename(result.file)));
  for (const sheet of STYLESHEETS) {
    const pattern = new RegExp(`^${path.basename(sheet).replace(/\./g, '\\.').replace('*', '.*')}$`);
    if (![...found].some((name) => pattern.test(name))) {
      throw new Error(`purge_css: ${sheet} is missing from ${build}`);
    }
  }
  for (const result of results) {
    fs.writeFileSync(result.file, result.css);
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
