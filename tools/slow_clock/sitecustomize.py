"""Make a Jupyter kernel's clock run 100x fast, as if the machine were 100x slower.

Put this folder on PYTHONPATH (`make portability` does) and every kernel sees
`time.perf_counter()` advance 100 seconds for each real one: code that decides
by elapsed time (the progress board redraws at most every half second) behaves
as on a slow or heavily loaded machine. Only kernels are affected, and only
perf_counter: the event loops and the test runner's timeouts use the real clock.
"""

import sys
import time

SPEEDUP = 100.0

if any('ipykernel' in argument for argument in getattr(sys, 'orig_argv', sys.argv)):
    _real_perf_counter, _real_perf_counter_ns = time.perf_counter, time.perf_counter_ns
    _start, _start_ns = _real_perf_counter(), _real_perf_counter_ns()

    def perf_counter():
        return _start + (_real_perf_counter() - _start) * SPEEDUP

    def perf_counter_ns():
        return _start_ns + int((_real_perf_counter_ns() - _start_ns) * SPEEDUP)

    time.perf_counter, time.perf_counter_ns = perf_counter, perf_counter_ns
