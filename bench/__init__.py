"""Benchmarks that print figures measured in one run (``make bench``, ``make bench-grading``).

The top of the house: imports ``course``, ``authoring`` and ``autograder``; nothing imports
it. Performance is measured here, never asserted in a timed test."""
