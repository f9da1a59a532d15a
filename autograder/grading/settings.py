"""The grading system's options, as traitlets on the course's nbgrader config.

Every limit and option of grading is defined here once, with its default and its help,
and set like any nbgrader option: in nbgrader_config.py (``c.GradingSandbox.memory_mb =
2048``) or on an nbgrader command line (``--GradingTimes.fallback_cell_seconds=60``).
Read by:

- ``python -m autograder.grade``: its flags' defaults are the course's values (grade.py),
  a flag overrides them for one run;
- the direct path (``nbgrader autograde``, the formgrader's Autograde: direct.py), from
  the config nbgrader itself loaded;
- ``timing.TimeLimits`` and ``sandbox.Limits``: their field defaults are these traits'
  defaults, ``configured(config)`` fills them from a course's config;
- the README generator (authoring/readme/), which renders the tables of these options and
  their defaults, so the README states what the code does.

Units are the ones a person types (seconds, MiB); the limits the sandbox applies are
converted in sandbox.py. The Blackboard zone is nbgrader's ``c.LmsCollector.lms_timezone``
(autograder/intake/collectors.py), the gradebook ``c.CourseDirectory.db_url``, the folder
names nbgrader's ``c.CourseDirectory.*_directory``.
"""

from traitlets import Float, Integer, TraitType
from traitlets.config import Configurable

MiB = 1024**2


class Grading(Configurable):
    """How ``python -m autograder.grade`` runs."""

    workers = Integer(
        0, help="local worker processes, each running one kernel at a time; 0: one per core"
    ).tag(config=True)


class GradingTimes(Configurable):
    """Wall-clock limits of a student's kernel (timing.py derives them from the
    reference's own run; see timing.TimeLimits)."""

    multiple = Float(5.0, help="a cell gets this many times its reference time").tag(config=True)
    margin = Float(3.0, help="plus this many seconds (times the load)").tag(config=True)
    notebook_margins = Integer(
        4, help="a notebook gets this many margins (several of its cells may need one)"
    ).tag(config=True)
    fallback_cell_seconds = Float(
        120.0, help="limit of a cell of a notebook the timing profile does not have"
    ).tag(config=True)
    fallback_notebook_seconds = Float(
        600.0, help="limit of a notebook the timing profile does not have"
    ).tag(config=True)
    cell_seconds = Float(
        None, allow_none=True, help="flat limit of every cell, instead of the derived ones"
    ).tag(config=True)
    notebook_seconds = Float(
        None, allow_none=True, help="flat limit of every notebook, instead of the derived ones"
    ).tag(config=True)
    kernel_startup_seconds = Integer(
        120, help="time a kernel may take to start in the sandbox (within its notebook's limit)"
    ).tag(config=True)
    calibration_cell_seconds = Float(
        600.0, help="limit of a cell of the reference while it is timed for the profile"
    ).tag(config=True)
    calibration_notebook_seconds = Float(
        1800.0, help="limit of a reference notebook while it is timed for the profile"
    ).tag(config=True)


class GradingSandbox(Configurable):
    """Resources of one student's kernel in the grading sandbox (see sandbox.Limits)."""

    # The whole course peaks well under 1 GiB (measured), and a memory bomb should fail
    # fast and leave room for 8 kernels on a 24 GiB machine.
    memory_mb = Integer(1536, help="address space of one kernel (RLIMIT_AS), MiB").tag(config=True)
    cgroup_headroom_mb = Integer(
        512,
        help="the kernel's cgroup holds this much more than its address space (its tmpfs "
        "included), so that one process running out gets a MemoryError it can handle, MiB",
    ).tag(config=True)
    cpu_seconds = Integer(600, help="CPU time of one kernel's whole notebook, s").tag(config=True)
    processes = Integer(
        256, help="processes per kernel (cgroup), and per worker uid (RLIMIT_NPROC)"
    ).tag(config=True)
    file_mb = Integer(64, help="size of one file the kernel writes, MiB").tag(config=True)
    tmp_mb = Integer(256, help="everything the kernel may write (its tmpfs), MiB").tag(config=True)
    output_mb_per_cell = Integer(2, help="output one cell may produce, MiB").tag(config=True)
    cpus = Float(1.0, help="CPU time per wall-clock second (cgroup quota)").tag(config=True)
    # Measured: one check costs the judge at most 0.25 s of CPU, a failure's hints included
    # (bptt_tanh), a notebook at most 8 checks. A student's code made it spend 20 s.
    judge_cpu_seconds = Float(
        10.0,
        help="CPU time the judge (outside the sandbox) may spend on one kernel's checks, s",
    ).tag(config=True)


SECTIONS = (Grading, GradingTimes, GradingSandbox)


def default(section, name):
    """The default of the option ``name`` of ``section`` (a class above)."""
    return section.class_traits()[name].default_value


def options(config=None):
    """[(section name, option, value, default, help)] of every option, with the values
    of ``config`` (a traitlets Config, e.g. GradingCourse.config(); None: the defaults)."""
    out = []
    for section in SECTIONS:
        configured = section(config=config) if config is not None else section()
        for name, trait in vars(section).items():  # in the order they are defined
            if not isinstance(trait, TraitType):
                continue
            out.append(
                (section.__name__, name, getattr(configured, name), trait.default_value, trait.help)
            )
    return out
