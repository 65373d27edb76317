"""Bad input to every public callable of d2lsave raises TypeError or ValueError
naming the argument; unit and property tests of the smaller public functions."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

import d2lsave as d2l

W = torch.tensor([2.0, -3.4])


def data():
    return d2l.SyntheticRegressionData(w=W, b=4.2)


class EmptyData(d2l.DataModule):
    def get_dataloader(self, train):
        return d2l.TensorLoader((torch.zeros(0, 2), torch.zeros(0, 1)), 8)


class FloatTrainingStep(d2l.LinearRegression):
    def training_step(self, batch):
        return float(self.loss(self(*batch[:-1]), batch[-1]).detach())


def fit(model, dataset):
    if isinstance(model, d2l.Module):
        model.board.display = False
    d2l.Trainer(max_epochs=1).fit(model, dataset)


def drawn_board(**settings):
    board = d2l.ProgressBoard(display=False, **settings)
    board.draw(0, 1, 'line')
    return board


# (call, exception, start of the message): the promise of the README, callable by callable.
BAD_INPUT = [
    # Trainer and its fit
    (lambda: d2l.Trainer(max_epochs=-1), ValueError, 'max_epochs must be at least 0, got -1'),
    (lambda: d2l.Trainer(max_epochs=1.5), TypeError, 'max_epochs must be an integer, got 1.5'),
    (lambda: d2l.Trainer(max_epochs=1, num_gpus=-1), ValueError, 'num_gpus must be at least 0'),
    (lambda: d2l.Trainer(max_epochs=1, num_gpus=2), ValueError, 'this Trainer trains on one'),
    (
        lambda: d2l.Trainer(max_epochs=1, gradient_clip_val=-1),
        ValueError,
        'gradient_clip_val must be at least 0, got -1.0',
    ),
    (
        lambda: d2l.Trainer(max_epochs=1, gradient_clip_val='big'),
        TypeError,
        "gradient_clip_val must be a real number, got 'big'",
    ),
    (lambda: fit(None, data()), TypeError, 'model must be a Module of this library'),
    (
        lambda: fit(nn.Linear(2, 1), data()),
        TypeError,
        'model must be a Module of this library (it needs training_step and '
        'configure_optimizers), got Linear',
    ),
    (
        lambda: fit(d2l.LinearRegression(lr=0.03), None),
        TypeError,
        'data must be a DataModule, got NoneType',
    ),
    (
        lambda: fit(d2l.LinearRegression(lr=0.03), (W, W)),
        TypeError,
        'data must be a DataModule, got tuple',
    ),
    (
        lambda: fit(d2l.LinearRegression(lr=0.03), EmptyData()),
        ValueError,
        'data has no training minibatches',
    ),
    (
        lambda: fit(FloatTrainingStep(lr=0.03), data()),
        TypeError,
        'training_step must return the loss as a tensor that autograd can differentiate',
    ),
    # Models
    (
        lambda: d2l.Module(plot_train_per_epoch=0),
        ValueError,
        'plot_train_per_epoch must be at least 1, got 0',
    ),
    (
        lambda: d2l.Module(plot_valid_per_epoch='1'),
        TypeError,
        "plot_valid_per_epoch must be an integer, got '1'",
    ),
    (
        lambda: d2l.LinearRegressionScratch(0, lr=0.1),
        ValueError,
        'num_inputs must be at least 1, got 0',
    ),
    (
        lambda: d2l.LinearRegressionScratch(2.0, lr=0.1),
        TypeError,
        'num_inputs must be an integer, got 2.0',
    ),
    (
        lambda: d2l.LinearRegressionScratch(2, lr=0),
        ValueError,
        'lr must be greater than 0, got 0.0',
    ),
    (lambda: d2l.LinearRegressionScratch(2, lr=-0.1), ValueError, 'lr must be greater than 0'),
    (
        lambda: d2l.LinearRegressionScratch(2, lr=0.1, sigma=-1),
        ValueError,
        'sigma must be at least 0, got -1.0',
    ),
    (lambda: d2l.LinearRegression(lr=math.inf), ValueError, 'lr must be a finite number, got inf'),
    (lambda: d2l.LinearRegression(lr='0.1'), TypeError, "lr must be a real number, got '0.1'"),
    (lambda: d2l.LinearRegression(lr=None), TypeError, 'lr must be a real number, got None'),
    (
        lambda: d2l.WeightDecayScratch(2, lambd=-1, lr=0.1),
        ValueError,
        'lambd must be at least 0, got -1.0',
    ),
    (
        lambda: d2l.WeightDecayScratch(0, lambd=1, lr=0.1),
        ValueError,
        'num_inputs must be at least 1, got 0',
    ),
    (lambda: d2l.WeightDecay(wd=-0.5, lr=0.1), ValueError, 'wd must be at least 0, got -0.5'),
    (lambda: d2l.WeightDecay(wd=[1], lr=0.1), TypeError, 'wd must be a real number, got [1]'),
    (lambda: d2l.WeightDecay(wd=1, lr=0), ValueError, 'lr must be greater than 0'),
    # Optimizer
    (lambda: d2l.SGD([torch.zeros(1)], lr=-1), ValueError, 'lr must be greater than 0, got -1.0'),
    (lambda: d2l.SGD([], lr=0.1), ValueError, 'params must not be empty'),
    (lambda: d2l.SGD([1.0], lr=0.1), TypeError, 'each of params must be a tensor, got float'),
    (
        lambda: d2l.SGD(None, lr=0.1),
        TypeError,
        'params must be an iterable of tensors, got NoneType',
    ),
    (lambda: d2l.SGD(torch.zeros(2), lr=0.1), TypeError, 'params must be an iterable of tensors'),
    # Data
    (
        lambda: d2l.SyntheticRegressionData(w=torch.ones(2, 2), b=1),
        ValueError,
        'w must be a non-empty 1-D tensor, got shape (2, 2)',
    ),
    (
        lambda: d2l.SyntheticRegressionData(w=torch.ones(0), b=1),
        ValueError,
        'w must be a non-empty 1-D tensor, got shape (0,)',
    ),
    (
        lambda: d2l.SyntheticRegressionData(w=W, b=torch.ones(2)),
        TypeError,
        'b must be a real number',
    ),
    (
        lambda: d2l.SyntheticRegressionData(w=W, b=1, noise=-0.1),
        ValueError,
        'noise must be at least 0, got -0.1',
    ),
    (
        lambda: d2l.SyntheticRegressionData(w=W, b=1, num_train=0),
        ValueError,
        'num_train must be at least 1, got 0',
    ),
    (
        lambda: d2l.SyntheticRegressionData(w=W, b=1, num_val=2.5),
        TypeError,
        'num_val must be an integer, got 2.5',
    ),
    (
        lambda: d2l.SyntheticRegressionData(w=W, b=1, batch_size=0),
        ValueError,
        'batch_size must be at least 1, got 0',
    ),
    (lambda: d2l.HighDimRegressionData(0, 10, 5, 2), ValueError, 'num_train must be at least 1'),
    (lambda: d2l.HighDimRegressionData(10, -1, 5, 2), ValueError, 'num_val must be at least 1'),
    (lambda: d2l.HighDimRegressionData(10, 10, 0, 2), ValueError, 'num_inputs must be at least 1'),
    (
        lambda: d2l.HighDimRegressionData(10, 10, 5, 2.0),
        TypeError,
        'batch_size must be an integer, got 2.0',
    ),
    (lambda: d2l.DataModule().train_dataloader(), NotImplementedError, ''),
    (
        lambda: d2l.TensorLoader((torch.zeros(3),), batch_size=-2),
        ValueError,
        'batch_size must be at least 1, got -2',
    ),
    (
        lambda: d2l.TensorLoader((torch.zeros(3),), batch_size=0),
        ValueError,
        'batch_size must be at least 1, got 0',
    ),
    (
        lambda: d2l.TensorLoader((), batch_size=2),
        ValueError,
        'TensorLoader needs at least one tensor',
    ),
    (
        lambda: d2l.TensorLoader(torch.zeros(3), batch_size=2),
        TypeError,
        'tensors must be a sequence of tensors',
    ),
    (
        lambda: d2l.TensorLoader(([1, 2],), batch_size=2),
        TypeError,
        'each of tensors must be a tensor, got list',
    ),
    (
        lambda: d2l.TensorLoader((torch.tensor(1.0),), batch_size=2),
        ValueError,
        'tensors must have a first dimension',
    ),
    (
        lambda: d2l.TensorLoader((torch.zeros(3), torch.zeros(2)), batch_size=2),
        ValueError,
        'all tensors must have the same length',
    ),
    (
        lambda: d2l.TensorLoader((torch.zeros(3),), 2, shuffle='yes'),
        TypeError,
        "shuffle must be True or False, got 'yes'",
    ),
    (
        lambda: d2l.TensorLoader((torch.zeros(3),), 2, drop_last=1),
        TypeError,
        'drop_last must be True or False, got 1',
    ),
    # Functions of 3.6 and 3.7
    (
        lambda: d2l.polynomial_features(torch.ones(3), 3, scale=0),
        ValueError,
        'scale must be greater than 0, got 0.0',
    ),
    (
        lambda: d2l.polynomial_features(torch.ones(3), 3, scale=-2),
        ValueError,
        'scale must be greater than 0, got -2.0',
    ),
    (lambda: d2l.polynomial_features(torch.ones(3), -1), ValueError, 'degree must be at least 0'),
    (lambda: d2l.polynomial_features(torch.ones(3), 2.5), TypeError, 'degree must be an integer'),
    (lambda: d2l.polynomial_features([1.0, 2.0], 2), TypeError, 'x must be a tensor, got list'),
    (
        lambda: d2l.polynomial_features(torch.ones(2, dtype=torch.bool), 2),
        TypeError,
        'x must hold real numbers, got dtype torch.bool',
    ),
    (lambda: d2l.k_fold_splits(10, 1), ValueError, 'k must be at least 2, got 1'),
    (lambda: d2l.k_fold_splits(0, 2), ValueError, 'n must be at least 1, got 0'),
    (lambda: d2l.k_fold_splits(3, 5), ValueError, 'k=5 folds need at least k examples, got n=3'),
    (
        lambda: d2l.k_fold_splits(10, 2, generator=0),
        TypeError,
        'generator must be a torch.Generator or None, got 0',
    ),
    (lambda: d2l.l2_penalty([1.0, 2.0]), TypeError, 'w must be a tensor, got list'),
    # Board, plotting, utilities
    (
        lambda: d2l.ProgressBoard().draw(0, 0, 'x', every_n=0),
        ValueError,
        'every_n must be at least 1, got 0',
    ),
    (lambda: d2l.ProgressBoard().draw('a', 0, 'x'), TypeError, "x must be a number, got 'a'"),
    (lambda: d2l.ProgressBoard().draw(0, torch.ones(2), 'x'), TypeError, 'y must be a number'),
    (
        lambda: d2l.ProgressBoard(yscale='logarithmic'),
        ValueError,
        "yscale must be 'linear', 'log', 'symlog' or 'logit', got 'logarithmic'",
    ),
    (lambda: d2l.ProgressBoard(ls=()), ValueError, 'ls and colors must not be empty'),
    (lambda: d2l.ProgressBoard(display='no'), TypeError, "display must be True or False, got 'no'"),
    (lambda: d2l.plot([]), ValueError, 'X must not be empty'),
    (lambda: d2l.plot([1, 2], []), ValueError, 'Y must not be empty'),
    (lambda: d2l.plot(3.0), TypeError, 'X must be an array or a list of arrays, got 3.0'),
    (
        lambda: d2l.set_axes(None, 'x', 'y', None, None, 'linear', 'linear', ()),
        TypeError,
        'axes must be Matplotlib axes, got None',
    ),
    (lambda: d2l.Timer().avg(), ValueError, 'no time recorded yet'),
    (lambda: d2l.Timer().best(), ValueError, 'no time recorded yet'),
    (lambda: d2l.gpu(-1), ValueError, 'i must be at least 0, got -1'),
    (lambda: d2l.gpu('0'), TypeError, "i must be an integer, got '0'"),
    (lambda: d2l.add_to_class(object()), TypeError, 'add_to_class needs a class'),
]
# Callables with no argument to check; slider_figure belongs to the widget code.
CALLABLES_WITHOUT_ARGUMENTS = {'use_svg_display', 'cpu', 'slider_figure'}


@pytest.mark.parametrize('make, error, message', BAD_INPUT, ids=[m for _, _, m in BAD_INPUT])
def test_bad_input_raises_an_error_naming_the_argument(make, error, message):
    with pytest.raises(error) as raised:
        make()
    assert str(raised.value).startswith(message) or message in str(raised.value)


def test_the_table_covers_every_public_callable():
    import inspect

    source = inspect.getsource(inspect.getmodule(test_the_table_covers_every_public_callable))
    table = source[source.index('BAD_INPUT = [') : source.index('CALLABLES_WITHOUT_ARGUMENTS')]
    missing = [
        name
        for name in d2l.__all__
        if callable(getattr(d2l, name))
        and name not in CALLABLES_WITHOUT_ARGUMENTS
        and f'd2l.{name}(' not in table
        and not (name in ('Module', 'DataModule') and f'd2l.{name}' in table)
    ]
    assert missing in ([], ['HyperParameters'])  # it has no argument to check


# ---------------------------------------------------------------- units and laws


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 300),
    batch_size=st.integers(1, 70),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
)
def test_tensor_loader_gives_each_row_once_per_epoch(n, batch_size, shuffle, drop_last):
    X = torch.arange(n, dtype=torch.float32).reshape(n, 1)
    loader = d2l.TensorLoader((X, -X), batch_size, shuffle=shuffle, drop_last=drop_last)
    loader.batches_per_gather = 3  # many gathers even for small n
    batches = list(loader)
    assert len(batches) == len(loader)
    sizes = [len(b[0]) for b in batches]
    full, rest = divmod(n, batch_size)
    assert sizes == [batch_size] * full + ([rest] if rest and not drop_last else [])
    rows = torch.cat([b[0] for b in batches]).reshape(-1) if batches else torch.zeros(0)
    assert len(set(rows.tolist())) == len(rows)  # no row twice
    if not drop_last:
        assert sorted(rows.tolist()) == list(range(n))  # every row
    if not shuffle:
        assert rows.tolist() == list(range(len(rows)))
    for bx, by in batches:
        assert torch.equal(by, -bx)


def test_tensor_loader_drop_last_matches_dataloader():
    X = torch.arange(10.0).reshape(10, 1)
    ours = d2l.TensorLoader((X,), 4, drop_last=True)
    theirs = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X), 4, drop_last=True)
    assert len(ours) == len(theirs) == 2
    assert all(torch.equal(a[0], b[0]) for a, b in zip(ours, theirs))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 200), k=st.integers(2, 12), seed=st.integers(0, 2**16))
def test_k_fold_splits_partition_the_indices(n, k, seed):
    if k > n:
        return
    splits = d2l.k_fold_splits(n, k, generator=torch.Generator().manual_seed(seed))
    assert len(splits) == k
    valid = torch.cat([v for _, v in splits]).sort().values
    assert torch.equal(valid, torch.arange(n))  # each index is validated exactly once
    sizes = [len(v) for _, v in splits]
    assert max(sizes) - min(sizes) <= 1
    for train, v in splits:
        assert len(train) + len(v) == n
        assert not set(train.tolist()) & set(v.tolist())


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.floats(-3, 3), min_size=1, max_size=20),
    degree=st.integers(0, 6),
    scale=st.floats(0.5, 4),
)
def test_polynomial_features_are_the_scaled_powers(values, degree, scale):
    x = torch.tensor(values, dtype=torch.float64)
    features = d2l.polynomial_features(x, degree, scale=scale)
    assert features.shape == (len(values), degree + 1)
    assert torch.equal(features[:, 0], torch.ones(len(values), dtype=torch.float64))
    for i in range(degree + 1):
        torch.testing.assert_close(features[:, i], (x / scale) ** i)


def test_polynomial_features_accept_integer_tensors_and_any_leading_shape():
    features = d2l.polynomial_features(torch.arange(6).reshape(2, 3), 2, scale=2)
    assert features.shape == (2, 3, 3) and features.dtype == torch.float32
    assert features[1, 2].tolist() == [1.0, 2.5, 6.25]


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.floats(-10, 10), min_size=1, max_size=30), factor=st.floats(-4, 4))
def test_l2_penalty_is_half_the_squared_norm_and_homogeneous(values, factor):
    w = torch.tensor(values, dtype=torch.float64)
    assert d2l.l2_penalty(w).item() == pytest.approx(0.5 * sum(v * v for v in values))
    assert d2l.l2_penalty(factor * w).item() == pytest.approx(
        factor**2 * d2l.l2_penalty(w).item(), rel=1e-9, abs=1e-12
    )


def test_high_dimensional_data_follow_their_rule():
    torch.manual_seed(0)
    dataset = d2l.HighDimRegressionData(num_train=3000, num_val=1000, num_inputs=50, batch_size=64)
    assert dataset.X.shape == (4000, 50) and dataset.y.shape == (4000, 1)
    residual = dataset.y - (0.05 + 0.01 * dataset.X.sum(dim=1, keepdim=True))
    assert abs(residual.std().item() - 0.01) < 0.01 * 5 / math.sqrt(2 * 4000)
    assert abs(residual.mean().item()) < 0.01 * 5 / math.sqrt(4000)
    train, val = dataset.train_dataloader(), dataset.val_dataloader()
    assert len(train) == math.ceil(3000 / 64) and len(val) == math.ceil(1000 / 64)
    assert torch.equal(next(iter(val))[0], dataset.X[3000:3064])


def test_weight_decay_scratch_adds_lambda_times_the_penalty():
    torch.manual_seed(0)
    plain = d2l.LinearRegressionScratch(4, lr=0.1)
    decayed = d2l.WeightDecayScratch(4, lambd=3, lr=0.1)
    decayed.load_state_dict(plain.state_dict())
    X, y = torch.randn(10, 4), torch.randn(10)
    expected = plain.loss(plain(X), y) + 3 * (plain.w**2).sum() / 2
    torch.testing.assert_close(decayed.loss(decayed(X), y), expected)
    assert d2l.WeightDecayScratch(4, lambd=0, lr=0.1).hparams['lambd'] == 0


def test_weight_decay_decays_the_weight_and_not_the_bias():
    torch.manual_seed(0)
    model = d2l.WeightDecay(wd=0.5, lr=0.1)
    model(torch.zeros(1, 3))
    with torch.no_grad():
        model.net.weight.fill_(1.0)
        model.net.bias.fill_(1.0)
    optimizer = model.configure_optimizers()
    model.loss(model(torch.zeros(4, 3)), torch.ones(4, 1)).backward()  # zero data gradient
    optimizer.step()
    torch.testing.assert_close(model.net.weight, torch.full((1, 3), 1 - 0.1 * 0.5))
    torch.testing.assert_close(model.net.bias, torch.ones(1))


def test_timer_records_and_summarizes():
    timer = d2l.Timer()
    timer.times = [0.3, 0.1, 0.2]
    assert timer.sum() == pytest.approx(0.6) and timer.avg() == pytest.approx(0.2)
    assert timer.best() == 0.1 and timer.cumsum() == pytest.approx([0.3, 0.4, 0.6])
    assert timer.stop() >= 0 and len(timer.times) == 4


def test_plot_draws_one_line_per_curve():
    axes = d2l.plot(
        torch.arange(5.0), [torch.arange(5.0), torch.arange(5.0) ** 2], legend=['x', 'x^2']
    )
    assert len(axes.get_lines()) == 2
    assert axes.get_lines()[1].get_ydata().tolist() == [0, 1, 4, 9, 16]


def test_devices():
    assert d2l.cpu() == torch.device('cpu') and d2l.gpu(1) == torch.device('cuda:1')
