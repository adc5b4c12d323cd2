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
