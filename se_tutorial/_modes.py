"""Run a network in eval mode for a while, then put every module back in the mode it had.

with evaluating(model):
    logits = model(images)        # BatchNorm uses its running statistics, dropout is off
# model.training (and each sub-module's) is what it was before, also after an error
"""

from __future__ import annotations

from contextlib import contextmanager

from torch import nn


@contextmanager
def evaluating(model: nn.Module):
    """Put ``model`` in eval mode inside the ``with`` block; restore its modes afterwards.

    Every sub-module gets back its own ``training`` flag, so a model that was partly in
    eval mode before (a frozen backbone, say) comes back the same. The modes are restored
    even when the block raises.

    Yields:
        ``model`` itself.
    """
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        yield model
    finally:
        for m, training in modes:
            m.training = training
