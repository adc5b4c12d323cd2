"""Put random weights for an ImageNet SE network under torchvision's exact cache file name.

    python tests/fake_imagenet_cache.py TORCH_HOME [ARCH]

Then, with ``TORCH_HOME`` set to that folder, ``se_tutorial.imagenet_model(ARCH)`` finds the
weights "cached" and loads them without a network: ``make test-kernels`` runs notebook 06
this way, so that its ImageNet section is tested with the weights present as well as absent.
The weights are random, so the predictions are meaningless; only the shapes and the code path
are real.
"""

import os
import sys


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not 1 <= len(argv) <= 2:
        print(__doc__)
        return 2
    os.environ["TORCH_HOME"] = argv[0]
    arch = argv[1] if len(argv) > 1 else "regnet_y_400mf"

    import torch
    from torchvision.models import get_model

    from se_tutorial.imagenet import weights_path

    _, path = weights_path(arch)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.manual_seed(0)
        torch.save(get_model(arch, weights=None).state_dict(), path)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
