// Scrollable code blocks and outputs get a tab stop, so that a keyboard can
// scroll them. pydata-sphinx-theme does this for every block at page load,
// which makes the browser lay out the whole page at once (over a second of
// blocking time on a phone for a long section); _ext/page_speed.py turns that
// off, and here each block is checked when it comes near the viewport.
(function () {
  'use strict';

  const SCROLLABLE = [
    'pre',
    '.nboutput > .output_area',
    '.cell_output > .output',
    '.jp-RenderedHTMLCommon',
    '.pst-scrollable-table-container',
  ].join(', ');

  function setTabStop(element) {
    const overflows = element.scrollWidth > element.clientWidth
      || element.scrollHeight > element.clientHeight;
    element.tabIndex = overflows ? 0 : -1;
  }

  function debounce(callback, wait) {
    let timer = null;
    return () => {
      clearTimeout(timer);
      timer = setTimeout(callback, wait);
    };
  }

  function start() {
    const main = document.getElementById('main-content') || document.body;
    let observed = new WeakSet();
    const observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) {
          setTabStop(entry.target);
        }
      }
    }, {rootMargin: '100% 0px'});
    function observeAll() {
      for (const element of main.querySelectorAll(SCROLLABLE)) {
        if (!observed.has(element)) {
          observed.add(element);
          observer.observe(element);
        }
      }
    }
    // After a resize every block is checked again as it nears the viewport.
    function observeAfresh() {
      observer.disconnect();
      observed = new WeakSet();
      observeAll();
    }
    observeAll();
    window.addEventListener('resize', debounce(observeAfresh, 300));
    new MutationObserver(debounce(observeAll, 300)).observe(main, {subtree: true, childList: true});
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
