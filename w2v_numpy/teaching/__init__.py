"""Teaching: the gradient checker, the one-step trace and the documents' worked examples."""
