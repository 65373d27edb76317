#!/usr/bin/env python3
"""Benchmarks of the book and its library, printed as one Markdown table.

    python bench/run.py            measure and print
    python bench/run.py --readme   also write the table into README.md

Every figure is a median over repeated runs, measured side by side in one
process (one kernel for the training rows), and reported with its ratio to the
baseline next to it, so that a noisy machine shifts both sides alike.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat
import torch
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tools'))
from extract_saved import toc_files  # noqa: E402

README_START, README_END = '<!-- bench:start -->', '<!-- bench:end -->'

TRAINING_CODE = r'''
import json, statistics, time
import torch
from torch import nn
import d2lsave as d2l

def make_data():
    torch.manual_seed(0)
    return d2l.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2)

def plain_loop(data, epochs=3, lr=0.03):
    """What one would write by hand: the same loader, model, loss and optimizer."""
    net = nn.Linear(2, 1)
    optimizer = torch.optim.SGD(net.parameters(), lr)
    for _ in range(epochs):
        net.train()
        for X, y in data.train_dataloader():
            loss = nn.functional.mse_loss(net(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        net.eval()
        with torch.no_grad():
            for X, y in data.val_dataloader():
                nn.functional.mse_loss(net(X), y)

def trainer_fit(data, board):
    model = d2l.LinearRegression(lr=0.03)
    model.board.display = board
    d2l.Trainer(max_epochs=3).fit(model, data)
    return model

data = make_data()
times = {'plain loop': [], 'Trainer.fit, board off': [], 'Trainer.fit, board on': [],
         'one render of the final figure': []}
# Warm up: the first optimizer imports torch._dynamo, the first figure loads fonts.
plain_loop(data)
d2l._svg_of(trainer_fit(data, True).board.figure())
for repeat in range(REPEATS):
    for name, run in (('plain loop', lambda: plain_loop(data)),
                      ('Trainer.fit, board off', lambda: trainer_fit(data, False)),
                      ('Trainer.fit, board on', lambda: trainer_fit(data, True))):
        start = time.perf_counter()
        result = run()
        times[name].append(time.perf_counter() - start)
    # One frame drawn from scratch: a new board with the final points, figure and SVG.
    start = time.perf_counter()
    frame = d2l.ProgressBoard(xlabel='epoch', xlim=[0, 3], display=False)
    frame.points = dict(result.board.points)
    d2l._svg_of(frame.figure())
    times['one render of the final figure'].append(time.perf_counter() - start)
print('RESULT' + json.dumps({k: statistics.median(v) for k, v in times.items()}))
'''


def run_in_kernel(code):
    """Run code in a fresh IPython kernel (inline backend) and return its stdout."""
    manager, client = start_new_kernel(kernel_name='python3', cwd=str(ROOT / 'chapters'))
    output = []
    try:
        reply = client.execute_interactive(
            code,
            timeout=600,
            output_hook=lambda msg: (
                output.append(msg['content'].get('text', ''))
                if msg['msg_type'] == 'stream'
                else None
            ),
        )
        if reply['content']['status'] != 'ok':
            raise RuntimeError(f'benchmark code failed: {reply["content"]}')
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return ''.join(output)


def bench_training(repeats):
    """(a) Trainer.fit on the 3.5 workload against a hand-written loop."""
    out = run_in_kernel(TRAINING_CODE.replace('REPEATS', str(repeats)))
    result = json.loads(out.split('RESULT', 1)[1])
    plain = result['plain loop']
    render = result['one render of the final figure']
    off, on = result['Trainer.fit, board off'], result['Trainer.fit, board on']
    return [
        ('a', 'plain PyTorch loop, 3 epochs of the 3.5 workload', seconds(plain), '1.00x', ''),
        (
            'a',
            'Trainer.fit, board off',
            seconds(off),
            ratio(off, plain),
            target(off / plain <= 1.2, '<= 1.2x'),
        ),
        ('a', 'Trainer.fit, board on (inline backend)', seconds(on), ratio(on, plain), ''),
        (
            'a',
            'board on minus board off',
            seconds(on - off),
            f'{(on - off) / render:.2f} renders',
            target(on - off <= 1.5 * render, '<= 1.5 renders'),
        ),
        ('a', 'one render of the final figure', seconds(render), '', ''),
    ]


LOADER_CODE = r"""
import json, resource, statistics, sys, threading, time
import psutil, torch
import d2lsave as d2l

rows, kind, repeats = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
torch.manual_seed(0)
X, y = torch.randn(rows, 2), torch.randn(rows, 1)
if kind == 'ours':
    loader = d2l.TensorLoader((X, y), 32, shuffle=True)
else:
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), 32, shuffle=True)
process = psutil.Process()
peak = [0]
def watch(stop):
    while not stop.is_set():
        peak[0] = max(peak[0], process.memory_info().rss)
        time.sleep(0.0005)
times = []
for _ in range(repeats):  # timed without the memory watcher, which takes the GIL
    start = time.perf_counter()
    for batch in loader:
        pass
    times.append(time.perf_counter() - start)
base = process.memory_info().rss
peak[0] = base
stop = threading.Event()
watcher = threading.Thread(target=watch, args=(stop,))
watcher.start()
for batch in loader:
    pass
stop.set()
watcher.join()
growth = [peak[0] - base]
print(json.dumps({'seconds': statistics.median(times), 'growth': max(growth),
                  'dataset': X.nbytes + y.nbytes}))
"""


def loader_epoch(rows, kind, repeats):
    """One epoch of a loader in a fresh process: seconds and peak memory growth."""
    result = subprocess.run(
        [sys.executable, '-c', LOADER_CODE, str(rows), kind, str(repeats)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout)


def bench_loader(repeats):
    """(b) one epoch at 10^5 rows against DataLoader(TensorDataset)."""
    ours = loader_epoch(100_000, 'ours', repeats)['seconds']
    stock = loader_epoch(100_000, 'stock', repeats)['seconds']
    return [
        ('b', 'DataLoader(TensorDataset), 10^5 rows, batch 32', seconds(stock), '1.00x', ''),
        (
            'b',
            'TensorLoader, same epoch',
            seconds(ours),
            f'{stock / ours:.1f}x faster',
            target(stock / ours >= 10, '>= 10x'),
        ),
    ]


def bench_scaling(repeats):
    """(c) time per row and memory growth from 10^4 to 10^7 rows."""
    rows, per_row = [], []
    for exponent in range(4, 8):
        n = 10**exponent
        result = loader_epoch(n, 'ours', repeats if exponent < 7 else max(1, repeats // 2))
        per_row.append(result['seconds'] / n)
        permutation = 8 * n
        rows.append(
            (
                'c',
                f'TensorLoader, 10^{exponent} rows',
                f'{per_row[-1] * 1e9:.0f} ns/row',
                f'{result["growth"] / 2**20:.1f} MiB growth ({result["growth"] / permutation:.2f}x '
                'the permutation)',
                target(result['growth'] <= permutation * 1.05 + 4 * 2**20, '<= one permutation'),
            )
        )
    stock = loader_epoch(10**6, 'stock', 1)
    rows.append(
        (
            'c',
            'DataLoader(TensorDataset), 10^6 rows (for scale)',
            f'{stock["seconds"] / 1e6 * 1e9:.0f} ns/row',
            f'{stock["growth"] / 2**20:.1f} MiB growth ({stock["growth"] / stock["dataset"]:.1f}x '
            'the dataset)',
            '',
        )
    )
    spread = max(per_row) / min(per_row)
    rows.append(
        (
            'c',
            'time per row, slowest / fastest size',
            f'{spread:.2f}x',
            '',
            target(spread <= 1.5, '<= 1.5x'),
        )
    )
    return rows


def execute_seconds(notebook):
    """Wall time to run a notebook in a fresh kernel, and its slowest cells."""
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name='python3',
        resources={'metadata': {'path': str(ROOT / 'chapters')}},
        record_timing=True,
    )
    start = time.perf_counter()
    client.execute()
    total = time.perf_counter() - start
    cells = []
    first_code = next(c for c in notebook.cells if c.cell_type == 'code')
    for cell in notebook.cells:
        if cell is first_code:  # the imports: that is the floor's work
            continue
        timing = cell.metadata.get('execution', {})
        if 'iopub.execute_input' in timing and 'shell.execute_reply' in timing:
            seconds_taken = (
                timestamp(timing['shell.execute_reply']) - timestamp(timing['iopub.execute_input'])
            ).total_seconds()
            cells.append((seconds_taken, cell.source.split('\n')[0][:40]))
    return total, sorted(cells, reverse=True)


def timestamp(text):
    """A kernel message's ISO time (with a trailing Z) as a datetime."""
    return datetime.fromisoformat(text.replace('Z', '+00:00'))


# The first torch.optim optimizer makes PyTorch import torch._dynamo (row e): an
# import like the notebook's first cell, so the floor of a notebook that does it has it too.
DYNAMO_PROBE = "import sys; print('torch._dynamo' in sys.modules)"  # one line, as cells are named by their first
DYNAMO_IMPORT = '\nimport torch._dynamo'


def timed_run(path):
    """Seconds to run the notebook, its slowest cells, and whether it imported torch._dynamo."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(DYNAMO_PROBE))
    seconds_taken, cells = execute_seconds(notebook)
    probe = notebook.cells[-1].outputs[0]['text'].strip()
    return seconds_taken, [c for c in cells if c[1] != DYNAMO_PROBE[:40]], probe == 'True'


def floor_notebook(notebook, dynamo):
    """A notebook of `notebook`'s imports only (and torch._dynamo's, if it pays for that)."""
    imports = next(c for c in notebook.cells if c.cell_type == 'code')
    source = imports.source + (DYNAMO_IMPORT if dynamo else '')
    return nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source)], metadata=notebook.metadata
    )


def bench_notebooks(repeats):
    """(d) each notebook in a fresh kernel against a kernel that only imports."""
    rows, total, floors = [], 0.0, 0.0
    for path in [p for p in toc_files(ROOT) if p.suffix == '.ipynb']:
        times, floor_times = [], []
        for _ in range(repeats):
            seconds_taken, slowest, dynamo = timed_run(path)
            times.append(seconds_taken)
            floor = floor_notebook(nbformat.read(path, as_version=4), dynamo)
            floor_times.append(execute_seconds(floor)[0])
        t, f = statistics.median(times), statistics.median(floor_times)
        total, floors = total + t, floors + f
        where = ', '.join(f'{s:.2f} s `{src}`' for s, src in slowest[:3])
        rows.append(
            (
                'd',
                path.stem,
                seconds(t),
                f'floor {f:.2f} s{" (with torch._dynamo)" if dynamo else ""}, +{t - f:.2f} s',
                target(t - f <= 2, '<= floor + 2 s')
                + f' (slowest cells after the imports: {where})',
            )
        )
    rows.append(
        (
            'd',
            'whole book, one notebook after another',
            seconds(total),
            f'floors {floors:.2f} s, +{total - floors:.2f} s',
            target(total - floors <= 10, '<= floors + 10 s'),
        )
    )
    return rows


IMPORT_CODE = r"""
import time
start = time.perf_counter()
import torch, matplotlib.pyplot
middle = time.perf_counter()
import d2lsave
end = time.perf_counter()
torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)  # imports torch._dynamo
print(middle - start, end - middle, time.perf_counter() - end)
"""


def bench_import(repeats):
    """(e) import time of d2lsave beyond torch and pyplot."""
    base, extra, optim = [], [], []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, '-c', IMPORT_CODE],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.split()
        base.append(float(out[0]))
        extra.append(float(out[1]))
        optim.append(float(out[2]))
    b, e, o = (statistics.median(x) for x in (base, extra, optim))
    return [
        ('e', 'import torch, matplotlib.pyplot', seconds(b), '', ''),
        ('e', 'import d2lsave, beyond that', seconds(e), ratio(e, b), target(e < 0.3, '< 0.3 s')),
        (
            'e',
            'first torch.optim optimizer (PyTorch imports torch._dynamo)',
            seconds(o),
            ratio(o, b),
            'for (d): in the floor of each notebook that uses torch.optim',
        ),
    ]


def seconds(value):
    return f'{value:.3f} s' if value >= 0.1 else f'{value * 1e3:.1f} ms'


def ratio(value, base):
    return f'{value / base:.2f}x'


def target(met, goal):
    return f'{"met" if met else "NOT met"} ({goal})'


def machine():
    with open('/proc/cpuinfo') as info:
        cpu = next(
            (line.split(':', 1)[1].strip() for line in info if line.startswith('model name')),
            platform.processor(),
        )
    return (
        f'{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, '
        f'torch {torch.__version__}, {time.strftime("%Y-%m-%d")}'
    )


def table(rows):
    lines = ['| | measurement | time | relative | target |', '|---|---|---|---|---|']
    lines += [f'| {k} | {name} | {t} | {rel} | {goal} |' for k, name, t, rel, goal in rows]
    return '\n'.join(lines)


def write_readme(text):
    readme = ROOT / 'README.md'
    content = readme.read_text()
    pattern = re.compile(re.escape(README_START) + '.*?' + re.escape(README_END), re.S)
    if not pattern.search(content):
        raise SystemExit(f'README.md has no {README_START} ... {README_END} block')
    readme.write_text(pattern.sub(lambda _: f'{README_START}\n{text}\n{README_END}', content))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument(
        '--notebook-runs', type=int, default=3, help='runs of each notebook and its floor (d)'
    )
    parser.add_argument('--readme', action='store_true', help='write the table into README.md')
    parser.add_argument('--only', default='abcde', help='which parts to run, e.g. "ab"')
    args = parser.parse_args()
    if min(args.repeats, args.notebook_runs) < 1:
        parser.error('--repeats and --notebook-runs must be at least 1')
    parts = {
        'a': bench_training,
        'b': bench_loader,
        'c': bench_scaling,
        'd': bench_notebooks,
        'e': bench_import,
    }
    rows = []
    for key in args.only:
        print(f'running ({key}) {parts[key].__doc__}', file=sys.stderr, flush=True)
        rows += parts[key](args.repeats if key != 'd' else args.notebook_runs)
    if args.only == 'd':
        runs = f'medians of {args.notebook_runs} runs of each notebook and its floor'
    else:
        runs = f'medians of {args.repeats} runs'
        if 'd' in args.only:
            runs += f' ({args.notebook_runs} for each notebook and its floor in d)'
    text = f'Measured on {machine()}; {runs}.\n\n{table(rows)}'
    print(text)
    if args.readme:
        write_readme(text)


if __name__ == '__main__':
    main()
