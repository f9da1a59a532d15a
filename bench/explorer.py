"""Benchmark: how fast the gradient explorer (helpers/explorer.py) answers a slider move.

    python -m bench.explorer            (or python bench/explorer.py)

Budget: one measurement (measure(): forward + backward over N=4 sequences) must take
<= 50 ms at hidden size 256 and sequence length 200 with one BLAS thread. Reported
separately, each the median of --repeats runs after a warm-up:

    compute       measure() with the recurrent basis cached (a move of rho, vocabulary
                  or sequence length)
    compute cold  measure() with the cache cleared: plus the QR and the spectral radius
                  (the first use of a hidden size)
    render        drawing the figure and encoding the PNG
    update        a whole "spectral radius" slider move: compute + render + widget
    clip update   a "clip threshold" move: re-clip + render, no new measurement

Prints a table and ends with one JSON line. Timings are measured here, never asserted
in tests; compare figures from one run on the same machine.
"""

import os

# One BLAS thread, set before numpy loads (the Makefile sets the same): the matrices are
# small, and threads only add noise on a shared machine.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from authoring.claims import record_measured  # noqa: E402
from bench.memorization import print_report  # noqa: E402
from helpers import explorer  # noqa: E402
from helpers.explorer import GradientExplorer, measure  # noqa: E402

BUDGET_MS = 50.0


def timings_ms(fn, repeats, warmup=3, setup=None):
    """Run ``fn`` warmup + repeats times; the last ``repeats`` durations in ms (perf_counter)."""
    out = []
    for i in range(warmup + repeats):
        if setup is not None:
            setup()
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        if i >= warmup:
            out.append(1000 * dt)
    return np.array(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden-size", type=int, default=256)
    parser.add_argument("--seq-len", type=int, default=200)
    parser.add_argument("--vocab-size", type=int, default=10)
    parser.add_argument("--activation", default="tanh", choices=["tanh", "relu"])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)
    H, T, V, n = args.hidden_size, args.seq_len, args.vocab_size, args.repeats
    settings = dict(hidden_size=H, seq_len=T, vocab_size=V, activation=args.activation)

    compute = timings_ms(lambda: measure(**settings, rho=1.0), n)
    cold = timings_ms(
        lambda: measure(**settings, rho=1.0), n, setup=explorer._recurrent_basis.cache_clear
    )

    gx = GradientExplorer(**settings, clip=True)
    render = timings_ms(lambda: gx._draw(gx.last), n)
    rhos = iter(np.tile([0.97, 1.03], n + 10))
    update = timings_ms(lambda: setattr(gx.controls["rho"], "value", next(rhos)), n)
    thresholds = iter(np.tile([2.0, 8.0], n + 10))
    clip_update = timings_ms(
        lambda: setattr(gx.controls["threshold"], "value", next(thresholds)), n
    )

    # The explorer's default sizes, which decide which sliders follow the mouse.
    small = GradientExplorer()
    rhos = iter(np.tile([0.97, 1.03], n + 10))
    update_default = timings_ms(lambda: setattr(small.controls["rho"], "value", next(rhos)), n)

    def med(a):
        return round(float(np.median(a)), 2)

    result = {
        "benchmark": "explorer",
        "hidden_size": H,
        "seq_len": T,
        "vocab_size": V,
        "batch_size": 4,
        "activation": args.activation,
        "repeats": n,
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "compute_ms_median": med(compute),
        "compute_ms_p90": round(float(np.percentile(compute, 90)), 2),
        "compute_cold_ms_median": med(cold),
        "render_ms_median": med(render),
        "update_ms_median": med(update),
        "clip_update_ms_median": med(clip_update),
        "update_default_size_ms_median": med(update_default),
        "png_bytes": len(gx.image.value),
        "budget_ms": BUDGET_MS,
        "within_budget": bool(np.percentile(compute, 90) <= BUDGET_MS),
    }

    rows = [
        ("sizes", f"hidden {H}, sequence {T}, vocabulary {V}, batch 4, {args.activation}"),
        ("BLAS threads", result["blas_threads"]),
        (
            "compute (measure, cached W_hh)",
            f"{result['compute_ms_median']:.2f} ms median, {result['compute_ms_p90']:.2f} ms p90",
        ),
        ("compute cold (+ QR, radius)", f"{result['compute_cold_ms_median']:.2f} ms median"),
        (
            "render (draw + PNG)",
            f"{result['render_ms_median']:.2f} ms median, {result['png_bytes']} bytes",
        ),
        ("update (rho slider move)", f"{result['update_ms_median']:.2f} ms median"),
        ("clip update (threshold move)", f"{result['clip_update_ms_median']:.2f} ms median"),
        ("update at default sizes 64/100", f"{result['update_default_size_ms_median']:.2f} ms"),
        ("budget: compute p90 <= 50 ms", "met" if result["within_budget"] else "MISSED"),
    ]
    record_measured(
        explorer_compute_ms=result["compute_ms_median"],
        explorer_render_ms=result["render_ms_median"],
        explorer_update_ms=result["update_ms_median"],
    )
    print_report(f"Gradient explorer, {n} repetitions after warm-up", rows, result)
    return result


if __name__ == "__main__":
    main()
