"""evaluating(model): eval mode for a ``with`` block, then every module's own mode back, also after an error."""

import pytest
import torch
from torch import nn

from se_tutorial._modes import evaluating


def _modes(model):
    return [m.training for m in model.modules()]


def test_eval_inside_and_the_modes_back_after():
    model = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3), nn.Dropout(0.5)).train()
    with evaluating(model) as m:
        assert m is model and not any(_modes(model))
        x = torch.randn(4, 3)
        assert torch.equal(model(x), model(x))  # dropout off, BatchNorm on its running statistics
    assert all(_modes(model))


def test_mixed_modes_come_back_as_they_were():
    model = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3), nn.Dropout(0.5)).train()
    model[1].eval()  # a frozen BatchNorm inside a model in training mode
    before = _modes(model)
    with evaluating(model):
        pass
    assert _modes(model) == before == [True, True, False, True]
    model.eval()
    with evaluating(model):
        pass
    assert not any(_modes(model))


def test_modes_come_back_after_an_error():
    model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5)).train()
    with pytest.raises(RuntimeError, match="boom"):
        with evaluating(model):
            raise RuntimeError("boom")
    assert all(_modes(model))


def test_the_package_runs_its_models_through_it():
    """cost, analysis, interventions, train and cue_task leave the model's modes as they found them."""
    from se_tutorial import analysis, cost, interventions, train
    from se_tutorial.cue_task import cue_report
    from se_tutorial.models import small_resnet

    torch.manual_seed(0)
    model = small_resnet(se="standard", widths=(4, 4, 4)).train()
    model.stage1[0].se.eval()
    before = _modes(model)
    x, y = torch.rand(6, 1, 28, 28), torch.arange(6) % 3
    cost.macs(model, (1, 1, 28, 28))
    cost.latency(model, x, repeats=1, warmup=0)
    analysis.record(model, x)
    analysis.block_input(model, "stage1.0.se", x)
    interventions.measure_accuracy(model, x, y)
    train.loss_and_accuracy(model, (x, y))
    two = small_resnet(in_channels=2, se="standard", widths=(4, 4, 4)).train()
    cue_report(two, torch.rand(6, 2, 28, 28), y, torch.arange(6) % 2, (y + 1) % 10)
    assert all(_modes(two))
    assert _modes(model) == before
