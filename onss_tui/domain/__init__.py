"""Domain rules of the console: pure functions and value types, no I/O."""
