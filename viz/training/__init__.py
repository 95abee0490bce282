"""Training the task models: data batches, the training loop, evaluation, and live runs for the page."""
