"""What an intake found: the notebooks to grade per student, and every other file with
the reason it is not graded."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's Exchange.timestamp_format


@dataclass
class StudentSubmission:
    """One student's notebooks: {notebook file name: path of the file to grade}."""

    files: dict = field(default_factory=dict)
    timestamp: datetime | None = None  # aware (UTC), when the LMS or timestamp.txt gives one
    sources: dict = field(default_factory=dict)  # notebook -> logical path it came from
    notes: list = field(default_factory=list)  # e.g. "Canvas marked the submission late"

    def timestamp_text(self):
        """The timestamp as nbgrader writes timestamp.txt (parse_utc reads it back)."""
        return self.timestamp.strftime(TIME_FORMAT) if self.timestamp else None


@dataclass
class IntakeResult:
    """``students``: {student id: StudentSubmission}; ``skipped``: [Skip] (file, code,
    reason, student). ``found`` == ``graded`` + len(``skipped``)."""

    source: str
    students: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    warnings: list = field(default_factory=list)  # e.g. Blackboard times read as UTC
    retimed: dict = field(default_factory=dict)  # student -> submission time corrected

    @property
    def graded(self):
        return sum(len(s.files) for s in self.students.values())

    @property
    def found(self):
        return self.graded + len(self.skipped)

    def counts(self):
        return {"found": self.found, "graded": self.graded, "skipped": len(self.skipped)}

    def skipped_for(self, student):
        """The (file, reason) pairs skipped for ``student``."""
        return [(s.file, s.reason) for s in self.skipped if s.student == student]

    def as_dict(self):
        """Plain data (JSON): counts, per student files/timestamp/sources/notes, skipped."""
        return {
            **self.counts(),
            "source": self.source,
            "students": {
                sid: {
                    "files": dict(sub.files),
                    "timestamp": sub.timestamp_text(),
                    "sources": dict(sub.sources),
                    "notes": list(sub.notes),
                }
                for sid, sub in sorted(self.students.items())
            },
            "skipped": [
                {"file": s.file, "code": s.code, "reason": s.reason, "student": s.student}
                for s in self.skipped
            ],
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data):
        """The inverse of ``as_dict``."""
        from nbgrader.utils import parse_utc

        from .skips import Skip

        result = cls(data.get("source", ""))
        for sid, sub in data.get("students", {}).items():
            stamp = parse_utc(sub["timestamp"]).replace(tzinfo=UTC) if sub["timestamp"] else None
            result.students[sid] = StudentSubmission(
                dict(sub["files"]), stamp, dict(sub["sources"]), list(sub["notes"])
            )
        result.skipped = [
            Skip(s["file"], s["code"], s["reason"], s["student"]) for s in data.get("skipped", [])
        ]
        result.warnings = list(data.get("warnings", []))
        return result

    def merged_into(self, earlier, only=None):
        """The class's record of what was taken in: ``earlier`` (the record so far) with
        this intake's news. A student this intake accepted files of gets this intake's
        files, notes and time; a student it skipped files of gets this intake's skips
        (replacing those of an earlier download); files of nobody are this intake's.
        ``only``: the students this run took in (the others keep their record)."""

        def news(student):
            return student is not None and (not only or student in only)

        merged = IntakeResult(self.source, dict(earlier.students), warnings=list(self.warnings))
        merged.students.update({s: sub for s, sub in self.students.items() if news(s)})
        touched = {s.student for s in self.skipped if news(s.student)} | {
            s for s in self.students if news(s)
        }
        merged.skipped = [
            s for s in earlier.skipped if s.student is not None and s.student not in touched
        ] + [s for s in self.skipped if s.student is None or news(s.student)]
        return merged

    def report(self):
        """What the run prints: the counts, then every skipped file grouped by reason."""
        lines = [
            f"found {self.found} file(s) in {self.source}: {self.graded} to grade "
            f"({len(self.students)} student(s)), {len(self.skipped)} skipped"
        ]
        by_code = defaultdict(list)
        for s in self.skipped:
            by_code[s.code].append(s)
        lines += [f"WARNING: {w}" for w in self.warnings]
        for code, count in Counter(s.code for s in self.skipped).most_common():
            lines.append(f"  {code} ({count}):")
            lines += [f"    {s.file}: {s.reason}" for s in by_code[code]]
        return "\n".join(lines)
