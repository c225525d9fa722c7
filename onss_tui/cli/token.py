"""`onss-tui token create --as NISS [--label L] [--days D]` prints a new bearer token for the HTTP API,
once; `onss-tui token list [--as NISS] [--all]` shows tokens (label, created, last used, expires; never
the token); `onss-tui token revoke TOKEN|ID` ends one."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime

from onss_tui.cli.errors import CommandError
from onss_tui.cli.store import actor_by_niss, open_local, require_store
from onss_tui.config import Settings
from onss_tui.domain.identifiers import mask_niss
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.tokens import issue_token, revoke_token, secret_problem


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "never"


def _list(service: LocalService, args: argparse.Namespace) -> int:
    person_id = actor_by_niss(service, args.actor) if args.actor else None
    tokens = asyncio.run(service.list_tokens(None, person_id, include_ended=args.all))
    if not tokens:
        print("no tokens", file=sys.stderr)
    print(f"{'id':>6}  {'person':>6}  {'created':<16}  {'last used':<16}  {'expires':<16}  label")
    for token in tokens:
        ended = "  (revoked)" if token.revoked_at else ""
        print(
            f"{token.id:>6}  {token.person_id:>6}  {_when(token.created_at):<16}  "
            f"{_when(token.last_used_at):<16}  {_when(token.expires_at):<16}  {token.label or '-'}{ended}"
        )
    return 0


def run_token_command(args: argparse.Namespace) -> int:
    settings = Settings()
    secret = settings.api_secret
    problem = secret_problem(secret)
    require_store(args)
    service = open_local(args)
    try:
        if args.token_command == "list":
            return _list(service, args)
        if args.token_command == "create":
            if problem:
                raise CommandError(problem)
            person_id = actor_by_niss(service, args.actor)
            assert person_id is not None and secret is not None
            days = args.days if args.days is not None else settings.token_lifetime_days
            issued = issue_token(service.engine, secret, person_id, args.label, days=days)
            print(
                f"token {issued.id} issued for {mask_niss(args.actor)}, valid until "
                f"{issued.expires_at:%Y-%m-%d %H:%M} UTC; it is shown only this once:",
                file=sys.stderr,
            )
            print(issued.token)
            return 0
        token_id = revoke_token(service.engine, None if problem else secret, args.token)
        print(f"token {token_id} revoked")
        return 0
    finally:
        service.engine.dispose()
