from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import User
from accounts.services import ALL_SCOPES, access_token_create


class Command(BaseCommand):
    help = "Create an API access token for a user; the token is the last line of the output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            metavar="SCOPE",
            help=f"Repeat for several; default all of: {' '.join(ALL_SCOPES)}",
        )
        parser.add_argument("--name", default="command line", help="A name to recognise it by.")
        parser.add_argument("--days", type=int, help="Expire after this many days.")

    def handle(self, *args, username: str, scopes, name: str, days: int | None, **options):
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        if days is not None and days < 1:
            raise CommandError("--days must be 1 or more")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        try:
            issued = access_token_create(
                user=user, name=name, scopes=scopes or ALL_SCOPES, expires_at=expires_at
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"Token for {user.username} with scopes: {' '.join(issued.token.scopes)}")
        self.stdout.write(issued.raw)
