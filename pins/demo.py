"""Demo content for a fresh install: user `demo`, a few boards, ~60 generated pins, and a
neighbour, `ada`, who saves some of them to her own boards and whom `demo` follows.

Images are drawn here with Pillow (varied aspect ratios and colours) and go through the real
pipeline, exactly as an upload would. Ada's saves give "More like this" a graph to walk (pins
saved together on her boards are related) and give `demo` a home feed.
"""

import io
import random
from dataclasses import dataclass

from django.db import transaction
from PIL import Image, ImageDraw

from accounts.models import User
from boards.models import Board
from boards.services import board_create
from follows.services import board_follow, user_follow
from pins.models import Pin
from pins.services import pin_create, pin_save

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"  # noqa: S105 - a published demo login for local use, shown by `make run`

ASPECT_RATIOS = [(2, 3), (1, 1), (3, 4), (4, 5), (9, 16), (4, 3), (16, 9), (1, 2), (5, 7)]

BOARDS = [
    (
        "Kitchen ideas",
        "Open shelves, warm wood and things that make cooking a pleasure.",
        "kitchen",
    ),
    ("Weekend trips", "Places within a train ride, for slow weekends.", "trip"),
    ("Small gardens", "Balconies, pots and tiny plots that punch above their size.", "garden"),
    ("Desk setups", "Calm, tidy places to work.", "desk"),
    ("Colour palettes", "Combinations worth stealing.", "palette"),
]
SECRET_BOARD = ("Gift ideas", "For birthdays coming up. Only I can see this board.", "gift")

NEIGHBOUR_USERNAME = "ada"
# Ada's boards and the demo topics she saves from: overlapping interests make related pins.
NEIGHBOUR_BOARDS = [
    ("Light and wood", "Warm rooms to cook and work in.", ("kitchen", "desk")),
    ("Green corners", "Plants everywhere, in every colour.", ("garden", "palette")),
    ("Places to go", "Trips, and gardens worth the trip.", ("trip", "garden")),
]
NEIGHBOUR_SAVE_SHARE = 0.6

ADJECTIVES = [
    "Sunlit",
    "Quiet",
    "Bold",
    "Cosy",
    "Minimal",
    "Bright",
    "Rustic",
    "Soft",
    "Deep",
    "Airy",
]
NOUNS = {
    "kitchen": ["pantry", "open shelving", "herb corner", "breakfast nook", "tiled splashback"],
    "trip": ["harbour walk", "mountain hut", "old town", "lake shore", "forest trail"],
    "garden": ["balcony planter", "herb spiral", "climbing roses", "pot cluster", "shade bed"],
    "desk": ["standing desk", "cable tidy", "reading lamp", "shelf wall", "window desk"],
    "palette": ["ochre and teal", "sage and clay", "navy and coral", "plum and sand", "moss"],
    "gift": ["ceramic mug", "field notebook", "linen apron", "seed kit", "wool scarf"],
}
DESCRIPTIONS = [
    "Saved for the way the light falls across it.",
    "Simple to copy with what you already have.",
    "A good reference for proportions and spacing.",
    "The colours work together without trying too hard.",
    "Ideas for a weekend project, step by step.",
    "Worth a closer look: the details make it.",
]


@dataclass(frozen=True)
class DemoResult:
    created: bool
    boards: int
    pins: int


def demo_image(rng: random.Random, *, long_side: int = 900) -> bytes:
    """A JPEG of random proportions: a two-colour gradient with a few soft shapes on top."""
    ratio_w, ratio_h = rng.choice(ASPECT_RATIOS)
    scale = long_side / max(ratio_w, ratio_h)
    width, height = max(1, round(ratio_w * scale)), max(1, round(ratio_h * scale))
    top = tuple(rng.randrange(40, 235) for _ in range(3))
    bottom = tuple(rng.randrange(20, 220) for _ in range(3))
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.composite(
        Image.new("RGB", (width, height), bottom), Image.new("RGB", (width, height), top), gradient
    )
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randrange(2, 6)):
        colour = tuple(rng.randrange(0, 256) for _ in range(3))
        x, y = rng.randrange(width), rng.randrange(height)
        radius = rng.randrange(max(2, width // 12), max(3, width // 3))
        box = (x - radius, y - radius, x + radius, y + radius)
        if rng.random() < 0.5:
            draw.ellipse(box, fill=colour)
        else:
            draw.rounded_rectangle(box, radius=radius // 4, fill=colour)
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=88)
    return output.getvalue()


@transaction.atomic
def demo_catalog_create(*, pins: int = 60, seed: int = 7) -> DemoResult:
    """Create the demo user and content once; later calls leave existing data alone."""
    if User.objects.filter(username__iexact=DEMO_USERNAME).exists():
        return DemoResult(created=False, boards=0, pins=0)
    rng = random.Random(seed)
    user = User.objects.create_user(DEMO_USERNAME, password=DEMO_PASSWORD)
    boards = [
        (board_create(owner=user, name=name, description=description), topic)
        for name, description, topic in BOARDS
    ]
    name, description, topic = SECRET_BOARD
    boards.append(
        (
            board_create(
                owner=user, name=name, description=description, privacy=Board.Privacy.SECRET
            ),
            topic,
        )
    )
    by_topic: dict[str, list[Pin]] = {}
    for number in range(pins):
        board, topic = boards[number % len(boards)]
        title = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS[topic])}"
        pin = pin_create(
            owner=user,
            board=board,
            upload=demo_image(rng),
            title=title,
            description=rng.choice(DESCRIPTIONS),
            link=f"https://example.com/ideas/{topic}/{number + 1}",
            alt_text=f"Illustration for {title.lower()}",
        )
        if not board.is_secret:
            by_topic.setdefault(topic, []).append(pin)
    _neighbour_create(rng=rng, demo_user=user, by_topic=by_topic)
    return DemoResult(created=True, boards=len(boards), pins=pins)


def _neighbour_create(
    *, rng: random.Random, demo_user: User, by_topic: dict[str, list[Pin]]
) -> None:
    """Ada saves a share of the demo's public pins on her interests; demo follows her."""
    neighbour = User.objects.create_user(NEIGHBOUR_USERNAME)  # no password: not a login
    for name, description, topics in NEIGHBOUR_BOARDS:
        board = board_create(owner=neighbour, name=name, description=description)
        for topic in topics:
            for pin in by_topic.get(topic, []):
                if rng.random() < NEIGHBOUR_SAVE_SHARE:
                    pin_save(pin=pin, board=board, user=neighbour)
    user_follow(follower=demo_user, followee=neighbour)
    board_follow(follower=neighbour, board=demo_user.boards.order_by("pk").first())
