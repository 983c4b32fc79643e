"""`flask demo load`: the pilot cooperatives of tenants/ with one login per role (never in production)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo data: the nine pilot cooperatives and their logins.")


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_cli)


@demo_cli.command("load")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=None,
              help="Directory with the tenant files (default: TENANTS_DIR).")
@click.option("--members", type=click.IntRange(min=0), default=None,
              help="Members per cooperative for the year of savings (default 40-60; 0: none).")
def load_command(directory: str | None, members: int | None) -> None:
    """Sync tenants/ and create demo logins (password demo1234); safe to run again."""
    from coopsaas.demo import loader
    from coopsaas.tenancy import sync as tenant_sync

    root = Path(directory or current_app.config["TENANTS_DIR"])
    try:
        environment = current_app.config.get("COOPSAAS_ENV", "development")
        if members is None and environment == "test":
            members = 3  # the test suite loads the demo often: a token year keeps it fast
        report = loader.run(root, environment=environment, members=members)
    except loader.DemoRefused as exc:
        raise click.ClickException(str(exc)) from exc
    except tenant_sync.DefinitionsInvalid as exc:
        raise click.ClickException("\n".join([f"{len(exc.errors)} error(s) in {root}; nothing was changed:"]
                                             + [f"  {e}" for e in exc.errors])) from exc
    for line in report.sync.lines():
        click.echo(line)
    if report.activity:
        click.echo("\nDemo savings (a year of activity):")
        for activity in report.activity:
            click.echo(activity.line())
    click.echo(f"\nDemo logins (password {loader.DEMO_PASSWORD} for new users):")
    for login in report.logins:
        note = "" if login.created else "  (existing user, password unchanged)"
        click.echo(f"  {login.username:<40} {login.role:<13} {login.where}{note}")
