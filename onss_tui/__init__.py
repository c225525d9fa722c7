"""onss-tui: a keyboard-driven console for secure access to the Belgian social-security portal."""

__version__ = "0.1.0"
