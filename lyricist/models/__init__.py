"""Neural network modules and their configs (no data loading, no accelerate)."""
