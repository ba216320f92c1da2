from django.db.models import QuerySet

from accounts.models import AccessToken, User


def access_tokens_of(user: User) -> QuerySet[AccessToken]:
    return AccessToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")
