"""Forward time of the course's SEBlock against torchvision's and timm's SE modules.

All three compute the same function (same weights, C = 256, r = 16) on a
(32, 256, 28, 28) float32 CPU tensor. They are timed alternately, round after
round, in one process, so that all three see the same machine state; the
figure is the median over rounds, printed as a ratio to the fastest.

    python benchmarks/se_block.py [--rounds 50] [--threads N]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

import se_tutorial as se


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=50)
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: PyTorch's choice)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    torch.manual_seed(0)
    x = torch.randn(32, 256, 28, 28)
    ours = se.SEBlock(256, 16).eval()
    peers = {
        "se_tutorial.SEBlock": ours,
        "torchvision SqueezeExcitation": ours.to_torchvision().eval(),
        "timm SEModule": ours.to_timm().eval(),
    }
    with torch.inference_mode():
        ref = ours(x)
        for m in peers.values():
            torch.testing.assert_close(m(x), ref, atol=1e-5, rtol=1e-5)
            for _ in range(5):  # warm-up
                m(x)
        times = {name: [] for name in peers}
        for _ in range(args.rounds):
            for name, m in peers.items():
                t0 = time.perf_counter()
                m(x)
                times[name].append(time.perf_counter() - t0)

    medians = {name: statistics.median(t) for name, t in times.items()}
    fastest = min(medians.values())
    print(
        f"input {tuple(x.shape)} float32, {torch.get_num_threads()} threads, "
        f"{args.rounds} rounds, torch {torch.__version__}"
    )
    print(f"{'module':<32}{'median ms':>10}{'ratio':>8}")
    for name, t in medians.items():
        print(f"{name:<32}{t * 1e3:>10.2f}{t / fastest:>8.3f}")


if __name__ == "__main__":
    main()
