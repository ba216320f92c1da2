from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower, Upper

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
    # Kept by follows.services with F() updates in the follow's own transaction, so profiles and
    # the API show them without counting rows.
    follower_count = models.PositiveIntegerField(default=0)
    following_count = models.PositiveIntegerField(default=0)

    objects = CatalogUserManager()

    class Meta:
        constraints = [
            # "Ana" and "ana" would share one profile URL, so they are one username.
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
        ]
        indexes = [
            # Profile and board URLs find their user with `username__iexact`, which PostgreSQL
            # runs as UPPER(username) = UPPER(?): without this, a scan of every user.
            models.Index(Upper("username"), name="user_username_upper_idx"),
        ]

    def __str__(self) -> str:
        return self.username


class AccessToken(models.Model):
    """A personal access token for the API, stored as a hash: the token itself is shown once."""

    class Scope(models.TextChoices):
        BOARDS_READ = "boards:read", "See your public boards, sections and their pins"
        BOARDS_READ_SECRET = "boards:read_secret", "See your secret boards"
        BOARDS_WRITE = "boards:write", "Create, update and delete your public boards"
        BOARDS_WRITE_SECRET = "boards:write_secret", "Create, update and delete secret boards"
        PINS_READ = "pins:read", "See your public pins"
        PINS_READ_SECRET = "pins:read_secret", "See your pins on secret boards"
        PINS_WRITE = "pins:write", "Create, update and delete your public pins"
        PINS_WRITE_SECRET = "pins:write_secret", "Create, update and delete pins on secret boards"
        USER_ACCOUNTS_READ = "user_accounts:read", "See your account"
        USER_ACCOUNTS_WRITE = "user_accounts:write", "Follow and unfollow people and boards"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=100)
    # SHA-256 of the whole token: enough for a random 256-bit secret, and fast to look up.
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(
        max_length=16, help_text="The token's first characters, to tell it apart."
    )
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Serves the settings page list: WHERE user_id = ? ORDER BY created_at DESC
            models.Index(fields=["user", "-created_at"], name="token_user_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
