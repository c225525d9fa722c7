"""Reusable widgets: the paged table, the detail grid, identifier inputs with live validation, the
translated footer, navigation bar and text."""
