"""What a network costs: parameters, multiply-accumulates (MACs) and latency.

    params(model)                               number of parameters
    macs(model, (1, 3, 224, 224))               multiply-accumulates of one forward pass
    macs(model, shape, include_elementwise=True)   ... plus SE's pooling and scaling
    latency(model, x)                           median seconds of a forward pass

The counting convention (the one the SE paper uses for its "GFLOPs"):

- one **MAC** is one multiplication followed by one addition, ``a += w * x``;
- a convolution with a k×k kernel, C_in input and C_out output channels, producing
  an H_out×W_out map, costs ``C_out · H_out · W_out · C_in · k · k`` MACs (divide
  C_in by the groups for grouped convolutions); a linear layer ``C_in → C_out`` costs
  ``C_in · C_out`` MACs per input row;
- biases, batch normalisation, activations, pooling, the residual additions and
  SE's scaling are **not** counted: they are element-wise, small next to the
  convolutions, and leaving them out is what makes ResNet-50 a "3.86 GFLOPs" network.

Convolutions and matrix products are counted by PyTorch itself, with
``torch.utils.flop_counter.FlopCounterMode``. It reports FLOPs and counts one MAC as
two FLOPs (a multiply and an add), so ``macs = FLOPs / 2``.
"""

from __future__ import annotations

import statistics
import time
import warnings
from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from ._modes import evaluating
from ._validate import check_bool, check_int, check_positive_int


def _check_model(model, who: str) -> None:
    if not isinstance(model, nn.Module):
        raise ValueError(f"{who} expects a torch.nn.Module; got {type(model).__name__}.")


def params(model: nn.Module, *, trainable_only: bool = False) -> int:
    """Number of parameters of ``model`` (every element of every parameter tensor).

    Args:
        model: any ``nn.Module``.
        trainable_only: count only parameters with ``requires_grad=True``.

    Returns:
        An int; e.g. 25,557,032 for ResNet-50 and 28,088,024 for SE-ResNet-50 (r = 16).
        Buffers (BatchNorm's running mean and variance) are not parameters.

    Example:
        >>> params(nn.Linear(3, 2))    # weight (2, 3) + bias (2,)
        8
    """
    _check_model(model, "params")
    trainable_only = check_bool("trainable_only", trainable_only)
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def _check_shape(input_shape) -> tuple[int, ...]:
    if isinstance(input_shape, torch.Size):
        input_shape = tuple(input_shape)
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 2:
        raise ValueError(
            f"input_shape must be a tuple with a batch dimension first, such as (1, 3, 224, 224) for (N, C, H, W); "
            f"got {input_shape!r}."
        )
    return tuple(
        check_positive_int("each entry of input_shape", d, "Give (N, C, H, W), e.g. (1, 3, 224, 224).")
        for d in input_shape
    )


def _first_tensor(args):
    return next((a for a in args if isinstance(a, torch.Tensor)), None)


def elementwise_ops(model: nn.Module, input_shape) -> int:
    """SE's element-wise work in one forward pass, which :func:`macs` leaves out by default.

    For every SE module (as :func:`se_tutorial.se_modules` finds them) whose input
    has shape (N, C, H, W):

    - the squeeze (average pooling) adds ``N · C · H · W`` numbers;
    - the scale multiplies ``N · C · H · W`` numbers by their channel weight.

    Each addition and each multiplication is counted as one operation, so one SE
    module adds ``2 · N · C · H · W``. (The C divisions of the average and the
    gate's C sigmoids are not counted: they are C, not C·H·W.)

    Returns:
        An int, the sum over all SE modules (0 for a network without SE).
    """
    from .recording import se_modules

    shape = _check_shape(input_shape)
    _check_model(model, "elementwise_ops")
    total = 0

    def hook(_module, args):
        nonlocal total
        x = _first_tensor(args)
        total += 2 * x.numel()

    handles = [m.register_forward_pre_hook(hook) for m in se_modules(model).values()]
    try:
        _forward(model, shape)
    finally:
        for h in handles:
            h.remove()
    return total


def _forward(model: nn.Module, shape) -> None:
    """One forward pass in eval mode, without gradients, on an input of ``shape``.

    It runs on PyTorch's "meta" device first: every tensor there has a shape but no
    data, so nothing is computed and even ResNet-50 takes a fraction of a second;
    the model's own weights are not touched (they are swapped for meta tensors with
    ``torch.func.functional_call``). A model that cannot run on meta tensors runs
    for real, on zeros, on its own device. The model's training mode is restored.
    """
    from torch.func import functional_call

    with evaluating(model), torch.no_grad():
        try:
            state = {
                k: torch.empty_like(v, device="meta") for k, v in [*model.named_parameters(), *model.named_buffers()]
            }
            functional_call(model, state, (torch.zeros(shape, device="meta"),))
            return
        except (RuntimeError, NotImplementedError, TypeError, ValueError):
            pass  # e.g. a model that makes its own tensors on the CPU: run it for real
        try:
            p = next(model.parameters())
            device, dtype = p.device, p.dtype
        except StopIteration:
            device, dtype = torch.device("cpu"), torch.get_default_dtype()
        model(torch.zeros(shape, device=device, dtype=dtype))


def macs(model: nn.Module, input_shape, *, include_elementwise: bool = False) -> int:
    """Multiply-accumulates of one forward pass on an input of shape ``input_shape``.

    Convolutions and matrix products (``nn.Conv2d``, ``nn.Linear``, ``@``) are counted
    by ``torch.utils.flop_counter.FlopCounterMode``, which reports 2 FLOPs per MAC;
    this function returns FLOPs / 2. Biases, normalisation, activations, pooling and
    additions are not counted (see the module's docstring): this is the convention
    of the SE paper's "GFLOPs", which are really giga-MACs. Nothing is really
    computed when the model can run on PyTorch's data-less "meta" tensors.

    Args:
        model: any ``nn.Module`` that takes one tensor.
        input_shape: the input's full shape, batch first, e.g. (1, 3, 224, 224)
            for one 224×224 RGB image. The count grows linearly with the batch N.
        include_elementwise: also add SE's pooling and scaling work,
            ``2 · N · C · H · W`` per SE module (see :func:`elementwise_ops`).

    Returns:
        An int. ResNet-50 at (1, 3, 224, 224): 4,089,184,256 in torchvision's layout,
        3,857,973,248 with the stride in the first 1×1 convolution (the paper's 3.86 G).

    Example:
        >>> macs(nn.Conv2d(3, 8, 3, padding=1, bias=False), (1, 3, 5, 5))   # 8·5·5 outputs × 3·3·3
        5400
    """
    _check_model(model, "macs")
    shape = _check_shape(input_shape)
    include_elementwise = check_bool("include_elementwise", include_elementwise)
    counter = FlopCounterMode(display=False)
    with counter:
        _forward(model, shape)
    flops = counter.get_total_flops()
    if flops % 2:
        raise RuntimeError(f"FlopCounterMode reported an odd number of FLOPs ({flops}); expected 2 per MAC.")
    total = flops // 2
    if include_elementwise:
        total += elementwise_ops(model, shape)
    return total


@dataclass(frozen=True)
class Latency:
    """Timing of a forward pass, in seconds.

    Attributes:
        median: the median over ``repeats`` timed passes.
        q25, q75: the 25th and 75th percentiles; ``iqr = q75 - q25``.
        min: the fastest pass.
        repeats, warmup: passes timed, and passes run before timing.
        threads: ``torch.get_num_threads()`` during the measurement.
    """

    median: float
    q25: float
    q75: float
    min: float
    repeats: int
    warmup: int
    threads: int

    @property
    def iqr(self) -> float:
        """The interquartile range ``q75 - q25`` (seconds)."""
        return self.q75 - self.q25

    @property
    def spread(self) -> float:
        """Deprecated name of :attr:`iqr`."""
        warnings.warn(
            "Latency.spread is deprecated; use Latency.iqr (the same interquartile range).",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.iqr

    def __str__(self) -> str:
        return (
            f"{self.median * 1e3:.2f} ms median (IQR {self.iqr * 1e3:.2f} ms) over {self.repeats} runs, "
            f"{self.threads} threads"
        )


def latency(model: nn.Module, x: torch.Tensor, *, repeats: int = 20, warmup: int = 3) -> Latency:
    """Time ``model(x)`` in eval mode without gradients: median over repeats after warm-up.

    Args:
        model: any ``nn.Module``.
        x: its input, e.g. (1, 3, 224, 224) for one image.
        repeats: timed forward passes (at least 1).
        warmup: untimed passes first (memory allocation, caches, lazy set-up).

    Returns:
        A :class:`Latency` (median, quartiles and minimum in seconds; the thread
        count). The model's training mode is restored afterwards.
    """
    _check_model(model, "latency")
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"latency expects the model's input as a torch.Tensor; got {type(x).__name__}.")
    repeats = check_positive_int("repeats", repeats)
    warmup = check_int("warmup", warmup, minimum=0)
    times = []
    with evaluating(model), torch.no_grad():
        for _ in range(warmup):
            model(x)
        for _ in range(repeats):
            start = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - start)
    if repeats >= 2:
        q25, _, q75 = statistics.quantiles(times, n=4, method="inclusive")
    else:
        q25 = q75 = times[0]
    return Latency(
        median=statistics.median(times),
        q25=q25,
        q75=q75,
        min=min(times),
        repeats=repeats,
        warmup=warmup,
        threads=torch.get_num_threads(),
    )
