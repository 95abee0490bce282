"""Layer-wise analysis: representations per layer, and layer-wise (forward) learning."""
