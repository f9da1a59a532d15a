"""Reading what a student wrote without trusting it: a notebook's JSON within bounds of size,
depth and encoding (notebook_json), and its outputs within bounds of count and size
(output_bounds). Used by intake, grading and feedback alike, so it imports none of them."""
