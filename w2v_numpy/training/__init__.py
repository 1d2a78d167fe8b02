"""Training: the one loop, the policy table, workers, callbacks and AdaGrad."""
