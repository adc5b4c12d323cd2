# nbgrader's settings for the course's assignments (run nbgrader from this folder,
# or use `make assignments` from the repository root).
c = get_config()  # noqa: F821 - provided by nbgrader

c.CourseDirectory.course_id = "se-tutorial"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
# The gradebook lives next to this file and is not part of the repository.
c.CourseDirectory.db_url = "sqlite:///gradebook.db"

# What replaces a solution region in the student version.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# A student's notebook that runs too long (an endless loop, say) is stopped after this many seconds per cell.
c.ExecutePreprocessor.timeout = 120

# The feedback a student gets (nbgrader generate_feedback): the scores and the visible tests, never the
# hidden tests (nbgrader's default shows them; ClearHiddenTests removes them after the scores are read).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "nbgrader.preprocessors.ClearHiddenTests",
]

# nbgrader's gradebook warns "SAWarning: Object of type <SubmittedAssignment> not in session ..." (SQLAlchemy)
# the first time it grades a student: a note about its own bookkeeping, harmless, so it is not shown.
import warnings  # noqa: E402

warnings.filterwarnings("ignore", message=r"Object of type <Submitted\w+> not in session")

# The course's plugins (nbgrader_plugins.py, next to this file): `nbgrader zip_collect` reads the file
# names of Moodle's and Canvas's "download all submissions" archives, and `nbgrader export` writes one
# column per graded cell. A copy of this file without nbgrader_plugins.py keeps nbgrader's own collector
# and export, and says so, instead of losing every setting above.
import os  # noqa: E402
import sys  # noqa: E402

_here = os.path.dirname(os.path.abspath(__file__))
if os.path.isfile(os.path.join(_here, "nbgrader_plugins.py")):
    if _here not in sys.path:
        sys.path.insert(0, _here)
    from nbgrader_plugins import CourseCollector, PerCellExport  # noqa: E402

    c.ZipCollectApp.collector_plugin = CourseCollector
    c.ExportApp.plugin_class = PerCellExport
else:
    print(
        f"nbgrader_config.py: no nbgrader_plugins.py in {_here}; zip_collect and export use nbgrader's "
        "defaults. Copy assignments/nbgrader_plugins.py next to nbgrader_config.py.",
        file=sys.stderr,
    )
