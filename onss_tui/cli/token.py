"""`onss-tui token create --as NISS [--label L]` prints a new bearer token for the HTTP API, once;
`onss-tui token revoke TOKEN|ID` ends one."""

from __future__ import annotations

import argparse
import sys

from onss_tui.cli.errors import CommandError
from onss_tui.cli.store import actor_by_niss, open_local, require_store
from onss_tui.config import Settings
from onss_tui.domain.identifiers import mask_niss
from onss_tui.services.local.tokens import issue_token, revoke_token, secret_problem


def run_token_command(args: argparse.Namespace) -> int:
    secret = Settings().api_secret
    problem = secret_problem(secret)
    require_store(args)
    service = open_local(args)
    try:
        if args.token_command == "create":
            if problem:
                raise CommandError(problem)
            person_id = actor_by_niss(service, args.actor)
            assert person_id is not None and secret is not None
            issued = issue_token(service.engine, secret, person_id, args.label)
            print(
                f"token {issued.id} issued for {mask_niss(args.actor)}; it is shown only this once:",
                file=sys.stderr,
            )
            print(issued.token)
            return 0
        token_id = revoke_token(service.engine, None if problem else secret, args.token)
        print(f"token {token_id} revoked")
        return 0
    finally:
        service.engine.dispose()
