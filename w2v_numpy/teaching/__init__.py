"""Teaching: the gradient checker, the one-step trace, the documents' worked examples, and
the exercises (write an objective's ``loss_and_grad``, then :func:`check_exercise` it)."""
from .exercise import write_exercise
from .exercise_check import check_exercise

__all__ = ["check_exercise", "write_exercise"]
