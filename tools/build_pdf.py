#!/usr/bin/env python3
"""Print the built HTML book into one PDF, _build/book.pdf, with headless Chromium.

Every page of the toc is opened in order (so its widgets render as their
default frame), its hidden parts opened (exercise solutions, folded code),
the navigation chrome hidden by tools/print.css, and printed with Playwright's
page.pdf. The pages' PDFs are joined with pypdf and stamped with page numbers
that run through the whole book.

    python tools/build_pdf.py              build the HTML book, then the PDF
    python tools/build_pdf.py --no-build   print the book already in _build/html
"""

import argparse
import functools
import http.server
import io
import subprocess
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from pypdf import PdfReader, PdfWriter

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / '_build' / 'html'
OUTPUT = ROOT / '_build' / 'book.pdf'
PRINT_CSS = ROOT / 'tools' / 'print.css'
CHROMIUM_FLAGS = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
]
PAPER = {
    'format': 'A4',
    'margin': {'top': '18mm', 'bottom': '20mm', 'left': '16mm', 'right': '16mm'},
}

sys.path.insert(0, str(ROOT / 'tools'))
from extract_saved import toc_files  # noqa: E402
from prerequisites import find_chromium  # noqa: E402

CHROMIUM = find_chromium() or '/usr/bin/chromium'

# Opens what a reader would open by hand, and loads every image now.
OPEN_EVERYTHING = """async () => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  const images = [...document.images];
  images.forEach(image => { image.loading = 'eager'; });
  await Promise.all(images.map(image => image.complete ? null
    : new Promise(done => { image.onload = image.onerror = done; })));
}"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory):
    """Serve directory on a free port of 127.0.0.1 in a thread; return the server."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def page_paths():
    """The pages of the book, relative to _build/html, in the order of the toc."""
    return [source.relative_to(ROOT).with_suffix('.html').as_posix() for source in toc_files(ROOT)]


def print_page(browser_page, url):
    """One page of the book as PDF bytes, ready for print."""
    browser_page.goto(url, wait_until='networkidle')
    browser_page.add_style_tag(content=PRINT_CSS.read_text(encoding='utf-8'))
    browser_page.evaluate(OPEN_EVERYTHING)
    browser_page.wait_for_load_state('networkidle')
    return browser_page.pdf(print_background=True, **PAPER)


def page_numbers(browser_page, count):
    """A PDF of count empty pages that carry only their page number at the foot."""
    browser_page.set_content(
        '<style>@page{margin:0} div{break-after:page;height:1px}</style>' + '<div></div>' * count
    )
    footer = (
        '<div style="width:100%;text-align:center;font-size:9px;color:#555">'
        '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
    )
    return browser_page.pdf(
        display_header_footer=True, header_template='<span></span>', footer_template=footer, **PAPER
    )


def build_pdf(output=OUTPUT):
    """Print every page of the book, join them, number the pages; return the page count."""
    server = serve(HTML)
    base = f'http://127.0.0.1:{server.server_address[1]}/'
    writer = PdfWriter()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page()
            for path in page_paths():
                writer.append(PdfReader(io.BytesIO(print_page(page, base + path))))
            numbers = PdfReader(io.BytesIO(page_numbers(page, len(writer.pages))))
            browser.close()
    finally:
        server.shutdown()
    for content, number in zip(writer.pages, numbers.pages):
        content.merge_page(number)
    writer.add_metadata({'/Title': 'Linear Neural Networks for Regression'})
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open('wb') as stream:
        writer.write(stream)
    return len(writer.pages)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--no-build', action='store_true', help='print _build/html as it is')
    args = parser.parse_args(argv)
    if not args.no_build:
        subprocess.run([sys.executable, str(ROOT / 'tools' / 'build_book.py')], check=True)
    count = build_pdf()
    print(f'build_pdf: {OUTPUT.relative_to(ROOT)}, {count} pages')
    return 0


if __name__ == '__main__':
    sys.exit(main())
