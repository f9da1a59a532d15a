"""The original assignment's data_generator.py: the generators live in helpers.data.

Students import them from there; this module keeps the original file name working.
"""

from helpers.data import generate_data_memory, generate_random_data

__all__ = ["generate_data_memory", "generate_random_data"]
