"""Training images per second of the plain and the SE small ResNet, and their ratio.

Both models (the shipped checkpoints' backbone) take training steps alternately,
batch 128, on random 28×28 images, in one process; figures are medians over steps.
Each is measured in the usual (contiguous) memory format and in channels-last,
the format ``se_tutorial.train.fit`` trains in.

    python benchmarks/train_throughput.py [--steps 40] [--batch-size 128]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F

from se_tutorial.models import small_resnet


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--batch-size", type=int, default=128)
    args = ap.parse_args()
    torch.manual_seed(0)
    x = torch.rand(args.batch_size, 1, 28, 28)
    y = torch.randint(0, 10, (args.batch_size,))
    formats = {"contiguous": torch.contiguous_format, "channels_last": torch.channels_last}
    models = {
        f"{name} {fmt}": model.to(memory_format=formats[fmt])
        for name, se in [("plain", None), ("SE", "standard")]
        for fmt in formats
        for model in [small_resnet(se=se)]
    }
    inputs = {name: x.contiguous(memory_format=formats[name.split()[1]]) for name in models}
    optimizers = {k: torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9) for k, m in models.items()}

    def step(name: str) -> float:
        t0 = time.perf_counter()
        loss = F.cross_entropy(models[name](inputs[name]), y)
        optimizers[name].zero_grad()
        loss.backward()
        optimizers[name].step()
        return time.perf_counter() - t0

    for name in models:
        for _ in range(3):
            step(name)
    times = {name: [] for name in models}
    for _ in range(args.steps):
        for name in models:
            times[name].append(step(name))
    rate = {name: args.batch_size / statistics.median(t) for name, t in times.items()}
    print(
        f"batch {args.batch_size}, {args.steps} steps each, "
        f"{torch.get_num_threads()} threads, torch {torch.__version__}"
    )
    for name, r in rate.items():
        print(f"{name:<20}{r:>8.0f} images/s   ({60000 / r:.0f} s per Fashion-MNIST epoch)")
    for fmt in formats:
        print(f"SE / plain step time, {fmt}: {rate[f'plain {fmt}'] / rate[f'SE {fmt}']:.3f}")
    for name in ("plain", "SE"):
        print(
            f"{name}: channels_last / contiguous throughput: "
            f"{rate[f'{name} channels_last'] / rate[f'{name} contiguous']:.2f}"
        )


if __name__ == "__main__":
    main()
