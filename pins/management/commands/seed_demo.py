from django.core.management.base import BaseCommand

from pins.demo import DEMO_PASSWORD, DEMO_USERNAME, demo_catalog_create


class Command(BaseCommand):
    help = "Create the demo user, boards and ~60 pins once; does nothing when they exist."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--pins", type=int, default=60, help="How many demo pins to create.")

    def handle(self, *args, pins: int, **options) -> None:
        if not 1 <= pins <= 10_000:
            self.stderr.write("seed_demo: --pins must be from 1 to 10000")
            raise SystemExit(2)
        result = demo_catalog_create(pins=pins)
        if result.created:
            self.stdout.write(
                f"Created demo content: {result.boards} boards, {result.pins} pins "
                f"(log in as {DEMO_USERNAME} / {DEMO_PASSWORD})."
            )
        else:
            self.stdout.write("Demo content already present; left as it is.")
