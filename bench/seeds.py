"""Benchmark: notebook 5's training cell over many seeds and orders of random draws.

    python -m bench.seeds [--seeds 20] [--init NAME ...]

A correct student's network must reach the target whatever seed the notebook uses and
in whatever order a correct ``BasicRNNCell.__init__`` draws its random numbers: each
order gives other weights from the same seed. This runs the training cell of notebook 5
(``recipe``: the same call, the same settings) for every seed and every ``__init__``
given, and prints each final accuracy and the worst.
"""

import argparse
import json

from course.reference.BasicRNNCell import BasicRNNCell
from course.seed_sweep import sweep, worst


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first-seed", type=int, default=0)
    args = parser.parse_args(argv)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    results = sweep({"reference": BasicRNNCell}, seeds)
    accuracy, (name, seed) = worst(results)
    print(
        json.dumps({"benchmark": "seeds", "worst_accuracy": accuracy, "init": name, "seed": seed})
    )


if __name__ == "__main__":
    main()
