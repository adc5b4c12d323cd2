"""What recording with se_tutorial.capture costs over the plain forward pass.

Each model runs alternately with and without capture, round after round, in one
process; the figure is the ratio of the medians (target: at most 1.10).

    python benchmarks/capture_overhead.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torchvision.models import mobilenet_v3_small

import se_tutorial as se


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=30)
    args = ap.parse_args()
    torch.manual_seed(0)
    cases = {
        "small SE-ResNet, (256, 1, 28, 28)": (se.models.small_resnet(se="standard"), torch.rand(256, 1, 28, 28)),
        "MobileNetV3-small, (16, 3, 224, 224)": (mobilenet_v3_small(), torch.randn(16, 3, 224, 224)),
        "SE-ResNet-50, (8, 3, 224, 224)": (se.models.resnet50(se="standard"), torch.randn(8, 3, 224, 224)),
    }
    print(f"{torch.get_num_threads()} threads, {args.rounds} rounds, torch {torch.__version__}")
    print(f"{'model, input':<40}{'plain ms':>10}{'capture ms':>12}{'ratio':>8}")
    with torch.inference_mode():
        for label, (model, x) in cases.items():
            model.eval()
            for _ in range(3):
                model(x)
            plain, recorded = [], []
            for _ in range(args.rounds):
                plain.append(timed(lambda model=model, x=x: model(x)))
                with se.capture(model) as rec:
                    recorded.append(timed(lambda model=model, x=x: model(x)))
                assert rec.excitations
            p, r = statistics.median(plain), statistics.median(recorded)
            print(f"{label:<40}{p * 1e3:>10.2f}{r * 1e3:>12.2f}{r / p:>8.3f}")


if __name__ == "__main__":
    main()
