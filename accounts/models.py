from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

# Usernames are the first segment of profile and board URLs, so they may not shadow a route.
RESERVED_USERNAMES = frozenset(
    {
        "about", "accounts", "admin", "api", "boards", "board", "explore", "healthz", "help",
        "home", "login", "logout", "media", "pin", "pin-builder", "pins", "search", "settings",
        "signup", "static", "user", "users",
    }
)  # fmt: skip


def validate_username_not_reserved(value: str) -> None:
    if value.lower() in RESERVED_USERNAMES:
        raise ValidationError(f"“{value}” is reserved; choose another username.", code="reserved")


username_characters = RegexValidator(
    r"^[A-Za-z0-9_][A-Za-z0-9_.-]*\Z",
    "Use letters, digits, underscores, dots and hyphens; start with a letter, digit or underscore.",
    code="invalid",
)


class CatalogUserManager(UserManager):
    def get_by_natural_key(self, username: str) -> "User":
        # Logins match the username regardless of case, as the unique constraint does.
        return self.get(username__iexact=username)


class User(AbstractUser):
    username = models.CharField(
        "username",
        max_length=30,
        unique=True,
        validators=[username_characters, validate_username_not_reserved],
        help_text="Shown in your profile URL. Up to 30 letters, digits, _ . and -.",
        error_messages={"unique": "That username is taken."},
    )
    about = models.CharField(max_length=500, blank=True)
    website_url = models.URLField(max_length=2048, blank=True)

    objects = CatalogUserManager()

    class Meta:
        constraints = [
            # "Ana" and "ana" would share one profile URL, so they are one username.
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.username
