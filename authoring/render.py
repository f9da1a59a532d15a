"""Render the course text's claims: ``{{ claims.name | filter }}`` with jinja2.

The context: ``claims`` and ``measured`` (values.json), ``course`` (the exercise
registry's points per notebook) and ``math``. Formatting filters keep numbers readable:

    percent(0.4198)      -> "42 %"        percent(0.99555, 2) -> "99.56 %"
    thousands(1700)      -> "1,700"       sig(0.05572, 2)     -> "0.056"
    sci(1.6e-12)         -> "1.6·10⁻¹²"

An unknown name is an error (StrictUndefined): the text cannot quote a claim nobody
computes.
"""

import math

import jinja2

SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def percent(value, digits=0):
    return f"{100 * value:.{digits}f} %"


def thousands(value):
    return f"{value:,.0f}"


def sig(value, digits=2):
    """``value`` with ``digits`` significant digits, without exponent for ordinary sizes."""
    if value == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    return f"{round(value, decimals):,.{decimals}f}"


def sci(value, digits=2):
    """``value`` as m·10ⁿ with ``digits`` significant digits."""
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return f"{mantissa}·10{str(int(exponent)).translate(SUPERSCRIPT)}"


def environment():
    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False
    )
    env.filters.update(percent=percent, thousands=thousands, sig=sig, sci=sci)
    return env


def render(text, context):
    """``text`` with its ``{{ ... }}`` claims filled in from ``context``."""
    if "{{" not in text and "{%" not in text:
        return text
    return environment().from_string(text).render(math=math, **context)
