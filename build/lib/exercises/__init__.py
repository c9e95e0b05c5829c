"""Graded exercises: checks (exercises.checks), the grader (exercises.grade), the builder."""
