#!/usr/bin/env python3
"""Page-speed benchmark: Lighthouse on every page of the built book.

    python bench/pages.py                 build the book, then measure every page
    python bench/pages.py --no-build      measure the book already in _build/html
    python bench/pages.py --pages 3_1 --runs 1 --presets mobile   one quick look
    python bench/pages.py --readme        also write the table into README.md

The book is served from 127.0.0.1 with gzip, as GitHub Pages and other static
hosts serve it, and measured by Lighthouse (npm, pinned in package.json) in
its mobile preset (simulated slow 4G, a 4x slower CPU) and its desktop preset.
Each number is the median of --runs runs.
"""

import argparse
import functools
import gzip
import http.server
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tools'))
from prerequisites import find_chromium  # noqa: E402

HTML = ROOT / '_build' / 'html'
LIGHTHOUSE = ROOT / 'node_modules' / '.bin' / 'lighthouse'
CHROME = os.environ.get('CHROME_PATH') or find_chromium() or '/usr/bin/chromium'
CHROME_FLAGS = (
    '--headless=new --no-sandbox --disable-gpu --disable-background-networking '
    '--disable-component-update --disable-sync --no-first-run'
)
README_START, README_END = '<!-- bench-pages:start -->', '<!-- bench-pages:end -->'
TARGETS = {'mobile': 90, 'desktop': 98}
COMPRESSIBLE = ('.html', '.css', '.js', '.json', '.svg', '.txt', '.xml', '.map', '.inv')

sys.path.insert(0, str(ROOT / 'tools'))
from extract_saved import toc_files  # noqa: E402


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-compressed when the client accepts it (as static hosts do)."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / 'index.html'
        accepts = 'gzip' in self.headers.get('Accept-Encoding', '')
        if not (accepts and path.is_file() and path.suffix in COMPRESSIBLE):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header('Content-Type', self.guess_type(str(path)))
        self.send_header('Content-Encoding', 'gzip')
        self.send_header('Content-Length', str(len(body)))
        self.send_header('Cache-Control', 'max-age=600')
        self.end_headers()
        return _BytesFile(body)

    def log_message(self, *args):
        pass


class _BytesFile:
    """The minimal file object SimpleHTTPRequestHandler copies to the socket."""

    def __init__(self, data):
        self.data = data

    def read(self, size=-1):
        data, self.data = self.data, b''
        return data

    def close(self):
        pass


def serve(directory):
    """Serve directory on a free port of 127.0.0.1 in a thread; return the server."""
    handler = functools.partial(GzipHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def book_pages():
    """(label, path relative to _build/html) of every page, in the order of the toc."""
    pages = []
    for source in toc_files(ROOT):
        relative = source.relative_to(ROOT).with_suffix('.html')
        label = (
            relative.stem.split('_')[0] + '.' + relative.stem.split('_')[1]
            if re.match(r'\d+_\d+_', relative.stem)
            else relative.stem
        )
        pages.append((label, relative.as_posix()))
    return pages


def lighthouse(url, preset):
    """One Lighthouse run: the performance numbers of url in preset."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / 'report.json'
        command = [
            str(LIGHTHOUSE),
            url,
            '--quiet',
            '--only-categories=performance',
            '--output=json',
            f'--output-path={report}',
            f'--chrome-flags={CHROME_FLAGS}',
        ]
        if preset == 'desktop':
            command.append('--preset=desktop')
        env = dict(os.environ, CHROME_PATH=CHROME)
        subprocess.run(
            command,
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=300,
        )
        data = json.loads(report.read_text())
    audits = data['audits']
    if data.get('runtimeError'):
        raise RuntimeError(f'{url}: {data["runtimeError"]}')
    return {
        'score': round(100 * data['categories']['performance']['score']),
        'fcp': audits['first-contentful-paint']['numericValue'] / 1000,
        'lcp': audits['largest-contentful-paint']['numericValue'] / 1000,
        'tbt': audits['total-blocking-time']['numericValue'],
        'cls': audits['cumulative-layout-shift']['numericValue'],
        'bytes': audits['total-byte-weight']['numericValue'],
    }


def median_run(url, preset, runs):
    """Median of each number over runs Lighthouse runs."""
    results = [lighthouse(url, preset) for _ in range(runs)]
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def table(rows, runs):
    """The Markdown table of the measurements, with the targets."""
    lines = [
        f'Lighthouse 12.2.3, served locally with gzip; {date.today().isoformat()}; '
        f'medians of {runs} runs.',
        '',
        '| page | preset | score | target | FCP | LCP | TBT | CLS | transferred |',
        '|---|---|---|---|---|---|---|---|---|',
    ]
    for label, preset, r in rows:
        met = 'met' if r['score'] >= TARGETS[preset] else 'NOT met'
        lines.append(
            f'| {label} | {preset} | {r["score"]:.0f} | {met} (>= {TARGETS[preset]}) '
            f'| {r["fcp"]:.1f} s | {r["lcp"]:.1f} s | {r["tbt"]:.0f} ms '
            f'| {r["cls"]:.3f} | {r["bytes"] / 1024:.0f} KiB |'
        )
    return '\n'.join(lines)


def write_readme(text):
    """Replace the text between the page-speed markers of README.md."""
    readme = ROOT / 'README.md'
    content = readme.read_text()
    pattern = re.compile(re.escape(README_START) + '.*?' + re.escape(README_END), re.S)
    if not pattern.search(content):
        sys.exit(f'README.md has no {README_START} ... {README_END} markers')
    readme.write_text(pattern.sub(lambda _: f'{README_START}\n{text}\n{README_END}', content))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--no-build', action='store_true', help='measure _build/html as it is')
    parser.add_argument('--runs', type=int, default=3, help='runs per page and preset')
    parser.add_argument('--pages', nargs='*', help='only pages whose path contains one of these')
    parser.add_argument(
        '--presets', nargs='*', default=['mobile', 'desktop'], choices=['mobile', 'desktop']
    )
    parser.add_argument('--readme', action='store_true', help='write the table into README.md')
    args = parser.parse_args(argv)
    if not LIGHTHOUSE.exists():
        sys.exit('bench/pages.py: Lighthouse is missing; run `npm ci`')
    if not Path(CHROME).exists():
        sys.exit(f'bench/pages.py: no Chromium at {CHROME} (apt-get install -y chromium)')
    if not args.no_build:
        subprocess.run([sys.executable, str(ROOT / 'tools' / 'build_book.py')], check=True)
    pages = [
        (label, path)
        for label, path in book_pages()
        if not args.pages or any(p in path for p in args.pages)
    ]
    server = serve(HTML)
    base = f'http://127.0.0.1:{server.server_address[1]}/'
    rows = []
    try:
        for label, path in pages:
            for preset in args.presets:
                result = median_run(base + path, preset, args.runs)
                rows.append((label, preset, result))
                print(
                    f'{label:>10} {preset:>7} score {result["score"]:3.0f}  '
                    f'FCP {result["fcp"]:.1f} s  LCP {result["lcp"]:.1f} s  '
                    f'TBT {result["tbt"]:.0f} ms  {result["bytes"] / 1024:.0f} KiB',
                    flush=True,
                )
    finally:
        server.shutdown()
    text = table(rows, args.runs)
    print(text)
    if args.readme:
        write_readme(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
