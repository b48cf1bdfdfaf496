"""Domain logic of the matcher: index, scoring, explanations, evaluation metrics."""
