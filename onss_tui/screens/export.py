"""Exporting what a list shows: choose CSV or JSON and a file, then the rows are streamed to it in a worker.

The caller gives the writer (`write(out, fmt, progress) -> count`), which pages through the service
itself, so the export never holds the whole list; the dialog shows how many rows are written so far and
dismisses with the count and the path, or None.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, LoadingIndicator, RadioButton, RadioSet, Static

from onss_tui.screens.base import OnssModal
from onss_tui.widgets.input import Input
from onss_tui.widgets.plain import plain_content
from onss_tui.widgets.text import Tr

Writer = Callable[[IO[str], str, Callable[[int], None]], Awaitable[int]]
"""Writes the rows to the file in the format given, reporting how many so far; returns how many."""
FORMATS = ("csv", "json")


class ExportScreen(OnssModal[tuple[int, Path] | None]):
    """Format and file of an export; it runs here, with a loading indicator, then the dialog closes."""

    DEFAULT_CSS = """
    #export-dialog { width: 76; }
    #export-title { text-style: bold; margin-bottom: 1; }
    .export-row { height: auto; margin-bottom: 1; }
    .export-label { width: 12; }
    #format { width: 1fr; height: auto; layout: horizontal; }
    #format RadioButton { width: auto; margin-right: 3; }
    #path { width: 1fr; }
    #export-note { color: $warning; height: auto; }
    #export-progress { height: 1; }
    #export-buttons { height: auto; align-horizontal: right; }
    #export-buttons Button { margin-left: 2; }
    """

    BINDINGS: ClassVar = [
        Binding("escape", "cancel", "common.cancel", id="export.cancel"),
        Binding("ctrl+s", "export", "export.run", id="export.run"),
    ]

    def __init__(self, title_key: str, path: Path, write: Writer) -> None:
        """`path` is proposed (its suffix follows the format chosen)."""
        super().__init__()
        self.title_key = title_key
        self.path = path
        self.write = write

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="dialog"):
            yield Tr(self.title_key, id="export-title")
            with Horizontal(classes="export-row"):
                yield Tr("export.format", classes="export-label")
                json_first = self.path.suffix.lower() == ".json"
                with RadioSet(id="format", compact=True):
                    yield RadioButton("CSV", value=not json_first, id="format-csv", compact=True)
                    yield RadioButton("JSON", value=json_first, id="format-json", compact=True)
            with Horizontal(classes="export-row"):
                yield Tr("export.path", classes="export-label")
                yield Input(str(self.path), id="path", compact=True)
            yield Static("", id="export-note")
            yield LoadingIndicator(id="export-progress")
            with Horizontal(id="export-buttons"):
                yield Button(self.app.t("export.run"), id="export-yes", variant="primary", compact=True)
                yield Button(self.app.t("common.cancel"), id="export-no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#export-progress").display = False
        self.query_one("#path", Input).focus()
        self._note()

    @property
    def fmt(self) -> str:
        return "json" if self.query_one("#format-json", RadioButton).value else "csv"

    @on(RadioSet.Changed)
    def _format_changed(self) -> None:
        path = self.query_one("#path", Input)
        current = Path(path.value)
        if current.suffix.lower() in (".csv", ".json"):
            path.value = str(current.with_suffix(f".{self.fmt}"))

    @on(Input.Changed, "#path")
    def _path_changed(self) -> None:
        """A file name ending in .csv or .json chooses the format too."""
        suffix = Path(self.query_one("#path", Input).value.strip()).suffix.lower().lstrip(".")
        if suffix in FORMATS and suffix != self.fmt:
            self.query_one(f"#format-{suffix}", RadioButton).value = True
        self._note()

    def _note(self) -> None:
        path = Path(self.query_one("#path", Input).value.strip() or ".").expanduser()
        note = self.query_one("#export-note", Static)
        if path.is_dir():
            note.update(self.app.t("export.is_directory"))
        elif path.exists():
            note.update(self.app.t("export.will_replace"))
        elif not path.parent.is_dir():
            note.update(self.app.t("export.no_directory"))
        else:
            note.update("")

    @on(Button.Pressed, "#export-yes")
    @on(Input.Submitted, "#path")
    def action_export(self) -> None:
        path = Path(self.query_one("#path", Input).value.strip()).expanduser()
        if not path.name or path.is_dir():
            self.query_one("#export-note", Static).update(self.app.t("export.is_directory"))
            return
        self._busy(True)
        self._run(path, self.fmt)

    @on(Button.Pressed, "#export-no")
    def action_cancel(self) -> None:
        self.workers.cancel_group(self, "export")
        self.dismiss(None)

    def _busy(self, busy: bool) -> None:
        self.query_one("#export-progress").display = busy
        self.query_one("#export-yes", Button).disabled = busy
        self.query_one("#path", Input).disabled = busy
        self.query_one("#format", RadioSet).disabled = busy

    def _progress(self, count: int) -> None:
        self.query_one("#export-note", Static).update(self.app.t("export.progress", count=count))

    @work(exclusive=True, group="export", exit_on_error=False)
    async def _run(self, path: Path, fmt: str) -> None:
        try:
            with open(path, "w", encoding="utf-8", newline="") as out:
                count = await self.write(out, fmt, self._progress)
        except asyncio.CancelledError:
            path.unlink(missing_ok=True)
            raise
        except OSError as error:
            self._busy(False)
            self.query_one("#export-note", Static).update(
                plain_content(self.app.t("export.cannot_write", reason=self.app.os_error(error)))
            )
            self.query_one("#path", Input).focus()
            return
        except Exception:
            path.unlink(missing_ok=True)  # no partial file: a refusal (rights changed meanwhile) writes none
            self._busy(False)  # the file may be chosen again; the app says what went wrong
            self.query_one("#path", Input).focus()
            raise
        self.dismiss((count, path.resolve()))
