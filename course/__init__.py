"""The course itself, as instructors author it: its text (course/text/*.md), the reference
implementation (course/reference/), the exercises declared once each (course/exercises/),
the judge that runs them against the reference, and where everything lives (paths).

The lowest layer of the instructor's side: it imports only ``helpers`` (the student
package). Never shipped to students."""
