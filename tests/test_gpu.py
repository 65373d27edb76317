"""Training on a GPU with Trainer(num_gpus=1). Skipped on machines without CUDA
(CI has none); run on a GPU machine with `python -m pytest tests/test_gpu.py`."""

import pytest
import torch

import d2lsave as d2l

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA GPU')
W = torch.tensor([2.0, -3.4])


def fit_on_gpu(model, data, epochs=3):
    model.board.display = False
    trainer = d2l.Trainer(max_epochs=epochs, num_gpus=1)
    trainer.fit(model, data)
    return trainer


def test_trainer_places_model_and_batches_on_the_gpu():
    torch.manual_seed(0)
    data = d2l.SyntheticRegressionData(w=W, b=4.2)
    model = d2l.LinearRegressionScratch(2, lr=0.03)
    trainer = fit_on_gpu(model, data)
    assert trainer.device == d2l.gpu() and model.w.device.type == 'cuda'
    batch = trainer.prepare_batch(next(iter(data.train_dataloader())))
    assert all(t.device.type == 'cuda' for t in batch)
    assert (model.w.detach().cpu().reshape(-1) - W).abs().max() < 0.5


def test_concise_model_initializes_its_lazy_layer_on_the_gpu():
    torch.manual_seed(0)
    data = d2l.SyntheticRegressionData(w=W, b=4.2)
    model = d2l.LinearRegression(lr=0.03)
    fit_on_gpu(model, data)
    w, b = model.get_w_b()
    assert w.device.type == 'cuda'
    assert (w.cpu().reshape(-1) - W).abs().max() < 0.05 and abs(b.item() - 4.2) < 0.05
    wide = d2l.LinearRegression(lr=0.03).to(d2l.gpu())
    wide(torch.zeros(1, 20_000, device=d2l.gpu()))
    assert abs(wide.get_w_b()[0].std().item() - 0.01) < 0.001


def test_tensor_loader_shuffles_gpu_tensors_on_the_gpu():
    X = torch.arange(100.0, device=d2l.gpu()).reshape(100, 1)
    loader = d2l.TensorLoader((X, X * 2), batch_size=16, shuffle=True)
    batches = list(loader)
    assert len(batches) == len(loader) == 7
    assert all(b[0].device.type == 'cuda' for b in batches)
    seen = torch.cat([b[0] for b in batches]).reshape(-1).sort().values
    assert torch.equal(seen, X.reshape(-1))


def test_weight_decay_models_train_on_the_gpu():
    torch.manual_seed(0)
    data = d2l.HighDimRegressionData(num_train=20, num_val=100, num_inputs=200, batch_size=5)
    norms = {}
    for lambd in (0, 3):
        model = d2l.WeightDecayScratch(num_inputs=200, lambd=lambd, lr=0.01)
        fit_on_gpu(model, data, epochs=10)
        norms[lambd] = torch.linalg.norm(model.w.detach()).item()
    concise = d2l.WeightDecay(wd=3, lr=0.01)
    fit_on_gpu(concise, data, epochs=10)
    assert norms[3] < norms[0] / 2
    assert torch.linalg.norm(concise.get_w_b()[0]).item() < norms[0] / 2


def test_asking_for_more_gpus_than_one_is_refused():
    with pytest.raises(ValueError, match='num_gpus'):
        d2l.Trainer(max_epochs=1, num_gpus=torch.cuda.device_count() + 1)


@pytest.mark.parametrize(
    'make',
    [
        lambda: d2l.LinearRegressionScratch(2, lr=0.03),
        lambda: d2l.LinearRegression(lr=0.03),
        lambda: d2l.WeightDecay(wd=0.1, lr=0.03),
    ],
)
def test_a_checkpoint_saved_on_the_gpu_loads_on_the_cpu(make, tmp_path):
    torch.manual_seed(0)
    model = make()
    fit_on_gpu(model, d2l.SyntheticRegressionData(w=W, b=4.2), epochs=1)
    torch.save(model.state_dict(), tmp_path / 'weights.pt')
    torch.save(model, tmp_path / 'model.pt')
    X = torch.randn(6, 2)
    expected = model(X.to(d2l.gpu())).cpu()
    restored = make()
    restored.load_state_dict(torch.load(tmp_path / 'weights.pt', map_location='cpu'))
    whole = torch.load(tmp_path / 'model.pt', map_location='cpu', weights_only=False)
    for loaded in (restored, whole):
        assert all(p.device.type == 'cpu' for p in loaded.parameters())
        torch.testing.assert_close(loaded(X), expected, rtol=1e-5, atol=1e-6)
    assert not hasattr(whole, 'trainer')


def test_training_on_the_gpu_syncs_once_per_minibatch(monkeypatch):
    torch.manual_seed(0)
    data = d2l.SyntheticRegressionData(w=W, b=4.2)
    model = d2l.LinearRegression(lr=0.03)
    model.board.display = False
    model.to(d2l.gpu())(torch.zeros(1, 2, device=d2l.gpu()))
    calls = []
    original = torch.Tensor.item
    monkeypatch.setattr(torch.Tensor, 'item', lambda t: calls.append(1) or original(t))
    trainer = d2l.Trainer(max_epochs=1, num_gpus=1)
    trainer.fit(model, data)
    assert len(calls) <= trainer.train_batch_idx + trainer.val_batch_idx


def test_a_second_fit_on_the_gpu_continues_the_board():
    torch.manual_seed(0)
    data = d2l.SyntheticRegressionData(w=W, b=4.2)
    model = d2l.LinearRegression(lr=0.03)
    fit_on_gpu(model, data, epochs=1)
    fit_on_gpu(model, data, epochs=1)
    xs = [x for x, _ in model.board.points['train_loss']]
    assert xs == sorted(xs) and xs[-1] > 1.5
