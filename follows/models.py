from django.conf import settings
from django.db import models


class UserFollow(models.Model):
    """`follower` sees `followee`'s new pins in their feed."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="user_follows"
    )
    followee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follower_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Two follows racing become one row. Also serves the feed's "users I follow":
            # SELECT followee_id WHERE follower_id = ? (read from the index alone).
            models.UniqueConstraint(fields=["follower", "followee"], name="userfollow_unique"),
            models.CheckConstraint(
                condition=~models.Q(follower=models.F("followee")), name="userfollow_not_self"
            ),
        ]
        indexes = [
            # Serves a user's followers, newest first: WHERE followee_id = ? ORDER BY id DESC
            models.Index(fields=["followee", "-id"], name="userfollow_followers_idx"),
            # Serves who a user follows, newest first: WHERE follower_id = ? ORDER BY id DESC
            models.Index(fields=["follower", "-id"], name="userfollow_following_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} follows user {self.followee_id}"


class BoardFollow(models.Model):
    """`follower` sees the board's new pins in their feed."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="board_follows"
    )
    board = models.ForeignKey("boards.Board", on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Two follows racing become one row. Also serves the feed's "boards I follow":
            # SELECT board_id WHERE follower_id = ? (read from the index alone).
            models.UniqueConstraint(fields=["follower", "board"], name="boardfollow_unique"),
        ]
        indexes = [
            # Serves a board's followers, newest first: WHERE board_id = ? ORDER BY id DESC
            models.Index(fields=["board", "-id"], name="boardfollow_followers_idx"),
            # Serves the boards a user follows, newest first:
            # WHERE follower_id = ? ORDER BY id DESC
            models.Index(fields=["follower", "-id"], name="boardfollow_following_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} follows board {self.board_id}"
