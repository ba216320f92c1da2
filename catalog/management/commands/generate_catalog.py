import argparse
import sys
import time

from django.core.management.base import BaseCommand, CommandParser

from catalog.synthetic import (
    BENCH_PASSWORD,
    BENCH_USERNAME,
    CatalogSpec,
    GenerationError,
    analyze,
    catalog_generate,
)


def _positive(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a positive integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a positive integer")
    return value


def _share(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a number from 0 to 1") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a number from 0 to 1")
    return value


class Command(BaseCommand):
    help = (
        "Add a synthetic, realistically skewed catalog (users, boards, sections, media, "
        f"renditions, pins and saves) for benchmarks; log in as {BENCH_USERNAME} / "
        f"{BENCH_PASSWORD}. Uses COPY on PostgreSQL."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # One line on a bad argument, not argparse's usage block.
        parser.error = self._refuse  # type: ignore[method-assign]
        return parser

    def _refuse(self, message: str) -> None:
        sys.stderr.write(f"generate_catalog: {message}\n")
        raise SystemExit(2)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pins", type=_positive, required=True, help="Pins to add.")
        parser.add_argument("--users", type=_positive, required=True, help="Users to add.")
        parser.add_argument("--boards", type=_positive, required=True, help="Boards to add.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same catalog.")
        parser.add_argument(
            "--secret-share", type=_share, default=0.05, help="Share of boards that are secret."
        )

    def handle(
        self,
        *args,
        pins: int,
        users: int,
        boards: int,
        seed: int,
        secret_share: float,
        **options,
    ) -> None:
        spec = CatalogSpec(
            pins=pins, users=users, boards=boards, seed=seed, secret_share=secret_share
        )
        started = time.monotonic()
        try:
            result = catalog_generate(spec=spec, progress=self._progress(started))
        except GenerationError as exc:
            self._refuse(str(exc))
        analyze()
        follows = "".join(f", {count} {label}" for label, count in result.follows.items())
        self.stdout.write(
            f"Added {result.pins} pins ({result.repins} saves), {result.media} media, "
            f"{result.renditions} renditions, {result.boards} boards, {result.sections} sections, "
            f"{result.users} users{follows} in {time.monotonic() - started:.1f} s."
        )

    def _progress(self, started: float):
        last = [0.0]

        def show(done: int, total: int) -> None:
            now = time.monotonic()
            # Redrawn at most ten times a second: a COPY batch is quicker than the terminal.
            if done < total and now - last[0] < 0.1:
                return
            last[0] = now
            width = 30
            filled = width * done // total
            rate = done / max(now - started, 1e-6)
            bar = "#" * filled + "." * (width - filled)
            end = "\n" if done == total else ""
            sys.stderr.write(f"\r[{bar}] {done}/{total} rows {rate:,.0f}/s{end}")
            sys.stderr.flush()

        return show
