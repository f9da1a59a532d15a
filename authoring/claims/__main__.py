"""Recompute the claims of the course text and store them in values.json.

    python -m authoring.claims              # every notebook and experiment claim
    python -m authoring.claims NAME ...     # only these

Then ``make notebooks`` renders them into the notebooks and the README.
"""

import argparse
import sys

from . import broken, compute, store_claims


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="claims to recompute (default: all)")
    args = parser.parse_args(argv)
    values = compute(set(args.names) or None)
    store_claims(values)
    for name, value in sorted(values.items()):
        print(f"  {name:32s} {value:.6g}")
    if not args.names:
        for text in broken(values):
            print(f"FALSE: the text says {text!r}, but the code disagrees", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
