"""Compare SVG figures for what they show, not for their last digits.

Two SVG documents match when they have the same structure and text, and every
coordinate differs by less than `TOLERANCE` points. A figure is 72 points per
inch, so 0.05 pt is under a tenth of a screen pixel: far below anything a
reader can see, far above the float noise (about 1e-6 pt) that another CPU's
kernels or another thread count leave in a plotted curve, and above the
hundredths of a point by which a training curve can drift after hundreds of
SGD steps in float32.

Matplotlib names some definitions after a hash of their contents (markers
`m1a2b3c4d5e`, clip paths `p1a2b3c4d5e`); a sub-pixel change changes the hash,
so such names are compared by the order in which they first appear.
Text in comments (Matplotlib writes each label there, `<!-- 0.5 -->`) is
compared exactly.
"""

import re

TOLERANCE = 0.05
HASHED_ID = re.compile(r'\b[a-z][0-9a-f]{10}\b')
COMMENT = re.compile(r'(<!--.*?-->)', re.DOTALL)
NUMBER = re.compile(r'(-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)')


def canonical_ids(svg):
    """Rename hash-derived ids to id0, id1, ... in order of first appearance."""
    names = {}
    return HASHED_ID.sub(lambda m: names.setdefault(m.group(0), f'id{len(names)}'), svg)


def tokens(svg):
    """Split an SVG into exact-text pieces and floats, in document order."""
    pieces = []
    for part in COMMENT.split(canonical_ids(svg)):
        if part.startswith('<!--'):
            pieces.append(part)
            continue
        for index, piece in enumerate(NUMBER.split(part)):
            pieces.append(float(piece) if index % 2 else piece)
    return pieces


def difference(expected, actual, tolerance=TOLERANCE):
    """None if the two SVGs show the same figure, else a sentence saying where they differ."""
    left, right = tokens(expected), tokens(actual)
    if len(left) != len(right):
        return f'different structure ({len(left)} vs {len(right)} pieces)'
    for position, (a, b) in enumerate(zip(left, right)):
        if isinstance(a, float) and isinstance(b, float):
            if abs(a - b) > tolerance:
                return f'coordinate {a} vs {b} (piece {position}, tolerance {tolerance})'
        elif a != b:
            return f'text {a[:60]!r} vs {b[:60]!r} (piece {position})'
    return None


def same_figure(expected, actual, tolerance=TOLERANCE):
    """True if the SVGs differ at most by sub-pixel coordinates."""
    return difference(expected, actual, tolerance) is None
