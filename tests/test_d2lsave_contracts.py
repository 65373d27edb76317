"""d2lsave used as a library: PyTorch's contracts (checkpoints, pickling, copies,
repeated fits, seeds), the public API, and one host-device copy per minibatch."""

import copy
import io
import re

import pytest
import torch

import d2lsave as d2l
from conftest import ROOT

W = torch.tensor([2.0, -3.4])
PUBLIC_API = [
    'use_svg_display',
    'set_axes',
    'plot',
    'Timer',
    'slider_figure',
    'add_to_class',
    'HyperParameters',
    'ProgressBoard',
    'Module',
    'DataModule',
    'cpu',
    'gpu',
    'Trainer',
    'SyntheticRegressionData',
    'TensorLoader',
    'LinearRegressionScratch',
    'SGD',
    'LinearRegression',
    'polynomial_features',
    'k_fold_splits',
    'HighDimRegressionData',
    'l2_penalty',
    'WeightDecayScratch',
    'WeightDecay',
]
# Every model class, with the number of inputs of the data it fits.
MODELS = {
    'LinearRegressionScratch': lambda: d2l.LinearRegressionScratch(2, lr=0.03),
    'LinearRegression': lambda: d2l.LinearRegression(lr=0.03),
    'WeightDecayScratch': lambda: d2l.WeightDecayScratch(2, lambd=0.1, lr=0.03),
    'WeightDecay': lambda: d2l.WeightDecay(wd=0.1, lr=0.03),
}


def quiet(model):
    model.board.display = False
    return model


def data(num_train=1000, seed=0):
    torch.manual_seed(seed)
    return d2l.SyntheticRegressionData(w=W, b=4.2, num_train=num_train)


def trained(make, epochs=1):
    model = quiet(make())
    d2l.Trainer(max_epochs=epochs).fit(model, data())
    return model


@pytest.mark.parametrize('name', MODELS)
@pytest.mark.parametrize('forward_first', [False, True])
def test_a_loaded_state_dict_gives_the_same_predictions(name, forward_first):
    source = trained(MODELS[name])
    X = torch.randn(5, 2)
    restored = MODELS[name]()
    if forward_first:  # a model used before loading is overwritten by the load
        restored(torch.randn(3, 2))
    restored.load_state_dict(source.state_dict())
    torch.testing.assert_close(restored(X), source(X), rtol=0, atol=0)
    torch.testing.assert_close(restored(X), source(X), rtol=0, atol=0)


def test_an_untrained_lazy_model_still_initializes_after_loading_an_empty_state():
    fresh = d2l.LinearRegression(lr=0.03)
    other = d2l.LinearRegression(lr=0.03)
    other.load_state_dict(fresh.state_dict())  # both still without a shape
    other(torch.zeros(1, 20_000))
    assert other.get_w_b()[0].std().item() == pytest.approx(0.01, rel=0.05)


@pytest.mark.parametrize('name', MODELS)
def test_pickled_and_copied_models_leave_trainer_and_data_behind(name):
    small = trained(MODELS[name])
    big = quiet(MODELS[name]())
    d2l.Trainer(max_epochs=1).fit(big, data(num_train=20_000))
    sizes = []
    for model in (small, big):
        buffer = io.BytesIO()
        torch.save(model, buffer)
        sizes.append(buffer.tell())
        buffer.seek(0)
        loaded = torch.load(buffer, weights_only=False)
        assert not hasattr(loaded, 'trainer') and hasattr(model, 'trainer')
        X = torch.randn(4, 2)
        torch.testing.assert_close(loaded(X), model(X), rtol=0, atol=0)
        assert loaded.board.points == model.board.points
    assert abs(sizes[1] - sizes[0]) < 4096  # 19,000 more rows would be 228 KB
    duplicate = copy.deepcopy(big)
    assert not hasattr(duplicate, 'trainer')
    assert not any(
        isinstance(v, (d2l.TensorLoader, d2l.DataModule)) for v in vars(duplicate).values()
    )


def test_a_copied_board_draws_its_own_figure():
    board = d2l.ProgressBoard(display=False)
    for i in range(4):
        board.draw(i, i, 'line')
    board.figure()
    twin = copy.deepcopy(board)
    twin.draw(4, 4, 'line')
    assert twin.figure() is not board.figure()
    assert len(board.points['line']) == 4 and len(twin.points['line']) == 5


def increasing(board):
    return all(
        all(a[0] < b[0] for a, b in zip(points, points[1:])) for points in board.points.values()
    )


def test_fitting_again_continues_the_curves_instead_of_drawing_backwards():
    model = quiet(d2l.LinearRegression(lr=0.03))
    trainer = d2l.Trainer(max_epochs=2)
    trainer.fit(model, data())
    first_end = max(x for x, _ in model.board.points['train_loss'])
    trainer.fit(model, data())
    assert increasing(model.board)
    assert model.board.points['val_loss'][-1][0] == pytest.approx(4.0)
    assert model.board.xlim == [0, pytest.approx(4.0)]
    assert first_end < 2 and len(model.board.points['train_loss']) == 8


def test_the_same_seed_gives_the_same_parameters():
    runs = []
    for _ in range(2):
        dataset = data(seed=7)
        torch.manual_seed(3)
        model = quiet(d2l.LinearRegression(lr=0.03))
        d2l.Trainer(max_epochs=2).fit(model, dataset)
        runs.append([p.detach().clone() for p in model.parameters()])
    for a, b in zip(*runs):
        assert torch.equal(a, b)


def test_scratch_sgd_skips_parameters_without_a_gradient_like_torch_optim():
    used, unused = torch.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    optimizer = d2l.SGD([used, unused], lr=0.5)
    reference = torch.optim.SGD(
        [used.detach().clone().requires_grad_(), unused.detach().clone().requires_grad_()], lr=0.5
    )
    (used**2).sum().backward()
    optimizer.step()
    (reference.param_groups[0]['params'][0] ** 2).sum().backward()
    reference.step()
    assert unused.grad is None and torch.equal(unused, torch.ones(2))
    torch.testing.assert_close(used, reference.param_groups[0]['params'][0])


class CountingCopies:
    """Counts the calls that copy a tensor's value to the host (item, float)."""

    def __init__(self, monkeypatch):
        self.count = 0
        for name in ('item', '__float__', 'tolist', '__bool__'):
            original = getattr(torch.Tensor, name)

            def counted(tensor, *args, _original=original):
                self.count += 1
                return _original(tensor, *args)

            monkeypatch.setattr(torch.Tensor, name, counted)


@pytest.mark.parametrize('name', MODELS)
def test_training_copies_one_value_to_the_host_per_minibatch(name, monkeypatch):
    model, dataset = quiet(MODELS[name]()), data()
    model(torch.zeros(1, 2))  # the lazy layer's first forward pass is not training
    trainer = d2l.Trainer(max_epochs=2)
    copies = CountingCopies(monkeypatch)
    trainer.fit(model, dataset)
    batches = trainer.train_batch_idx + trainer.val_batch_idx
    assert batches == 2 * (32 + 32) and copies.count <= batches


def test_the_public_api_is_chosen_and_documented_by_the_api_page():
    assert sorted(d2l.__all__) == sorted(PUBLIC_API)
    assert all(hasattr(d2l, name) for name in d2l.__all__)
    helpers = [
        name for name in vars(d2l) if re.fullmatch(r'_?(check_\w+|svg_of|in_notebook)', name)
    ]
    assert helpers and all(name.startswith('_') for name in helpers)
    page = (ROOT / 'chapters' / 'api.md').read_text()
    assert '.. automodule:: d2lsave' in page  # autodoc documents exactly __all__
    assert 'ignore-module-all' not in page and 'private-members' not in page


def test_gradient_clipping_bounds_the_norm_of_the_gradients():
    trainer = d2l.Trainer(max_epochs=1, gradient_clip_val=1.0)
    model = d2l.LinearRegressionScratch(3, lr=0.1)
    model.loss(model(torch.randn(8, 3) * 100), torch.randn(8)).backward()
    before = torch.cat([p.grad.reshape(-1) for p in model.parameters()]).norm()
    trainer.clip_gradients(1.0, model)
    after = torch.cat([p.grad.reshape(-1) for p in model.parameters()]).norm()
    assert before > 10 and after == pytest.approx(1.0, rel=1e-4)
    small = d2l.LinearRegressionScratch(3, lr=0.1)
    small.loss(small(torch.zeros(2, 3)), torch.full((2,), 0.1)).backward()
    grads = [p.grad.clone() for p in small.parameters()]
    trainer.clip_gradients(1.0, small)  # a norm below the bound is left alone
    assert all(torch.equal(g, p.grad) for g, p in zip(grads, small.parameters()))


def test_fit_with_gradient_clipping_takes_short_steps_towards_the_truth():
    model = quiet(d2l.LinearRegressionScratch(2, lr=0.03))
    truth = torch.tensor([2.0, -3.4, 4.2])

    def flat():
        return torch.cat([model.w.detach().reshape(-1), model.b.detach()])

    start = flat()
    trainer = d2l.Trainer(max_epochs=3, gradient_clip_val=0.5)
    trainer.fit(model, data())
    longest = 3 * 32 * 0.03 * 0.5  # steps * lr * largest gradient norm
    assert (flat() - start).norm() <= longest * (1 + 1e-5)
    assert (start - truth).norm() - (flat() - truth).norm() > 0.9 * longest


def test_a_validation_step_may_return_a_python_float_or_nothing():
    class FloatValidation(d2l.LinearRegression):
        def validation_step(self, batch):
            return float(self.loss(self(*batch[:-1]), batch[-1]))

    class SilentValidation(d2l.LinearRegression):
        def validation_step(self, batch):
            self.loss(self(*batch[:-1]), batch[-1])

    for cls in (FloatValidation, SilentValidation):
        trainer = d2l.Trainer(max_epochs=1)
        trainer.fit(quiet(cls(lr=0.03)), data())
        assert trainer.val_batch_idx == 32


def test_a_float_validation_loss_that_is_nan_is_still_caught():
    class NanValidation(d2l.LinearRegression):
        def validation_step(self, batch):
            return float('nan')

    with pytest.raises(FloatingPointError, match='validation loss became nan'):
        d2l.Trainer(max_epochs=1).fit(quiet(NanValidation(lr=0.03)), data())
