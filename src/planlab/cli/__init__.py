"""The ``planlab`` command: one sub-command per job.

Bad input ends with one line per problem on stderr and exit code 2; nothing
is half-written, and no traceback is shown.
"""

from __future__ import annotations

import typer

from planlab.cli.calibrate import calibrate_scenario
from planlab.cli.compare import compare_runs
from planlab.cli.council import council_app, serve
from planlab.cli.demo import demo
from planlab.cli.economy import economy_app
from planlab.cli.plan import plan, tempo, variants
from planlab.cli.report import report
from planlab.cli.simulate import scenario_app, simulate
from planlab.cli.sweep import sweep

__all__ = ["app", "main"]

app = typer.Typer(
    name="planlab",
    help="A laboratory for economic plans: input-output analysis, plans, tempo checks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(economy_app, name="economy")
app.command("demo")(demo)
app.command("plan")(plan)
app.command("tempo")(tempo)
app.command("variants")(variants)
app.command("simulate")(simulate)
app.add_typer(scenario_app, name="scenario")
app.command("calibrate")(calibrate_scenario)
app.command("compare")(compare_runs)
app.command("report")(report)
app.command("sweep")(sweep)
app.command("serve")(serve)
app.add_typer(council_app, name="council")


def main() -> None:
    """Entry point of the console script."""
    app()
