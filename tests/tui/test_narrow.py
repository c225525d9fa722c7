"""At 80x24, the size an SSH terminal often has: each table shows its essential columns within the
screen, and every key a screen offers is on its footer or listed by the key that stands for the others."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import DataTable
from textual.widgets._footer import FooterKey

from onss_tui.app import OnssApp
from onss_tui.screens.help import HelpScreen
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import open_store
from onss_tui.widgets.footer import Footer
from onss_tui.widgets.paged_table import PagedTable
from tests.conftest import LR_EID, niss
from tests.tui.browsing import settle
from tests.tui.conftest import type_into
from tests.tui.test_browser_snapshots import fill

SIZE = (80, 24)
LANGUAGES = ["fr", "nl", "de", "en"]

ESSENTIAL = {
    "users": {"name", "niss", "status", "services"},
    "mandates": {"principal", "mandatary", "start", "status"},
    "audit": {"at", "actor", "action", "target", "outcome"},
    "designations": {"role", "name", "niss", "status", "since"},
    "enterprises": {"name", "enterprise_number"},
    "reveals": {"at", "who", "for", "reason"},
}
"""The columns each paged table always shows, by the table's id."""


async def console(tmp_path: Any, lang: str, actor: str = "lr") -> OnssApp:
    service = LocalService(open_store(f"sqlite:///{tmp_path / f'narrow-{lang}.db'}"))
    people = await fill(service)
    return OnssApp(service, actor_id=people[actor], lang=lang)


async def signed_in(pilot: Pilot[Any]) -> None:
    for _ in range(100):
        await settle(pilot)
        if pilot.app.actor_id is not None:
            break
    await settle(pilot)


async def open_screen(pilot: Pilot[Any], name: str) -> None:
    pilot.app.open_screen(name)  # type: ignore[attr-defined]
    await settle(pilot)
    if name == "designation":
        tabs = pilot.app.screen.query_one("#sections")
        tabs.active = "history"  # type: ignore[attr-defined]
        pilot.app.screen.query_one("#designations").focus()
        await settle(pilot)


def check_table(app: OnssApp, table: PagedTable[Any]) -> None:
    """The essential columns are drawn, their headers whole, within the table, itself within the screen."""
    assert table.region.right <= SIZE[0] and table.region.width > 0
    shown = {column.key for column in table.shown_columns}
    assert ESSENTIAL[table.id or ""] <= shown, f"{table.id}: {shown}"
    header = table.render_line(0).text
    assert len(header) == table.size.width
    for column in table.shown_columns:
        if column.key in ESSENTIAL[table.id or ""]:
            assert column.label in header, f"{table.id}: {column.label!r} cut in {header!r}"


async def check_keys(pilot: Pilot[Any]) -> None:
    """Each key the footer shows is whole and left of the palette's; the help key is among them, and every
    key of the screen the footer does not show is listed by the help it opens."""
    app = pilot.app
    screen = app.screen
    footer = screen.query_one(Footer)
    keys = list(footer.query(FooterKey))
    palette = next(key for key in keys if key.has_class("-command-palette"))
    assert palette.region.right == SIZE[0]
    for key in keys:
        if key is not palette:
            assert key.region.width > 0 and key.region.right <= palette.region.x, key.description
    on_footer = {key.action for key in keys}
    assert "help" in on_footer
    offered = {
        binding.action: binding.description
        for _, binding, _, _ in screen.active_bindings.values()
        if app.messages.has(binding.description)  # type: ignore[attr-defined]
    }
    await pilot.press("f1")
    await settle(pilot)
    assert isinstance(app.screen, HelpScreen)
    out = io.StringIO()
    Console(file=out, width=200).print(app.screen.keys())
    listed = out.getvalue()
    for action, description in offered.items():
        if action not in on_footer:
            assert app.t(description) in listed, f"{action} is neither on the footer nor in the help"  # type: ignore[attr-defined]
    await pilot.press("escape")
    await settle(pilot)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["users", "mandates", "audit", "designation"])
async def test_each_paged_screen_shows_its_essential_columns_and_offers_every_key(
    tmp_path: Any, lang: str, name: str
) -> None:
    app = await console(tmp_path, lang, "lr_ssa" if name == "mandates" else "lr")
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        await open_screen(pilot, name)
        shown = app.screen.query("#designations" if name == "designation" else "PagedTable")
        check_table(app, shown.first(PagedTable))
        await check_keys(pilot)


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_overview_fits_the_managers_columns_and_offers_every_key(tmp_path: Any, lang: str) -> None:
    app = await console(tmp_path, lang)
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        people = app.screen.query_one("#people", DataTable)
        assert [column.key.value for column in people.columns.values()] == ["role", "name", "niss", "status"]
        drawn = sum(column.get_render_width(people) for column in people.columns.values())
        assert drawn <= people.scrollable_content_region.width
        statuses = [str(cell) for cell in people.get_column("status")]
        assert all(status and "…" not in status for status in statuses)
        await check_keys(pilot)


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_overview_offers_every_key_with_a_quality_to_withdraw(tmp_path: Any, lang: str) -> None:
    """The legal representative is also the Main Access Manager here: with a quality activated after
    registration, activating and withdrawing are both offered, on the footer or by the help."""
    service = LocalService(open_store(f"sqlite:///{tmp_path / f'narrow-{lang}.db'}"))
    actor = (await fill(service))["lr"]
    [employer] = (await service.list_enterprises(actor)).items
    await service.activate_quality(actor, employer.id, "company_without_staff")
    app = OnssApp(service, actor_id=actor, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        offered = {binding.action for _, binding, _, _ in app.screen.active_bindings.values()}
        assert {"activate_quality", "deactivate_quality"} <= offered
        await check_keys(pilot)


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_picker_and_the_reveals_show_their_essential_columns(tmp_path: Any, lang: str) -> None:
    app = await console(tmp_path, lang)
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        await pilot.press("w")
        await settle(pilot)
        check_table(app, app.screen.query_one("#reveals", PagedTable))
        await pilot.press("escape")
        await settle(pilot)
        app.pick_enterprise()
        await settle(pilot)
        check_table(app, app.screen.query_one("#enterprises", PagedTable))
        await check_keys(pilot)


def check_notices_clear_of_fields(app: OnssApp) -> None:
    """A notice is up, a field shows its reason, and no notice covers a field or a reason."""
    notices = [w for w in app.screen.query("ToastRack *") if w.region.area]
    assert notices, "the form asks for its fields to be corrected"
    fields = [w for w in app.screen.query("Input, .field-reason, .form-error") if w.region.area]
    assert any(w.has_class("field-reason") for w in fields)
    for notice in notices:
        for field in fields:
            assert not notice.region.overlaps(field.region), f"a notice covers {field}"


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_a_notice_asking_to_correct_fields_covers_none(store, lang: str) -> None:  # type: ignore[no-untyped-def]
    app = store.app(store.world.lr, lang=lang)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await type_into(pilot, "legal_representative_eid", LR_EID)
        await type_into(pilot, "designee_niss", niss("950615334")[:-1] + "0")
        await pilot.press("ctrl+s")
        await settle(pilot)
        check_notices_clear_of_fields(app)


async def test_a_notice_on_the_user_form_covers_no_field(tmp_path: Any) -> None:
    app = await console(tmp_path, "fr")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await signed_in(pilot)
        await open_screen(pilot, "users")
        await pilot.press("n")
        await settle(pilot)
        await type_into(pilot, "niss", niss("950615334")[:-1] + "0")
        await pilot.press("ctrl+s")
        await settle(pilot)
        check_notices_clear_of_fields(app)
