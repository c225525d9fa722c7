"""Reusable widgets: the translated footer and text, identifier inputs with live validation."""
