"""Task data: sequential MNIST, next-character text, FORCE target signals.

Entry points: :func:`load_task` (build from a config section), :func:`prepare` (build
and write to a file for the workflow's data phase), :func:`load_prepared` (read it back).
"""

from aelle.data.sources import DataError
from aelle.data.task import TASKS, TaskData, load_prepared, load_task, prepare, save_task

__all__ = ["TASKS", "DataError", "TaskData", "load_prepared", "load_task", "prepare", "save_task"]
