"""REST input and output shapes."""
