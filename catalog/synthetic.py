"""A synthetic catalog at scale, for benchmarks and load tests (`manage.py generate_catalog`).

The catalog is skewed the way real ones are, because that is what makes discovery slow or fast:
board sizes, pin popularity (saves) and word frequencies follow power laws, so a few boards, pins
and words are huge and most are tiny. Near-duplicate images come in clusters of perceptual hashes
a few bits apart. Every media record points at a handful of real image files made once by the
real pipeline, so pages render.

Structure is drawn with numpy in bulk; rows are streamed to PostgreSQL with COPY (other databases
get plain batched INSERTs, fine for small catalogs). Columns come from the models' `_meta`: a field
the generator does not fill is left to its default or to the database (a nullable column filled by
a trigger, say); a required field it cannot fill stops the run, and nothing is kept: it is one
transaction. Generating into a database that has rows adds to it: ids continue after the largest.
"""

import functools
import io
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils.text import slugify

from accounts.models import User
from boards.models import Board, BoardSection
from media_pipeline import imaging
from media_pipeline.models import MediaRecord, Rendition
from media_pipeline.storage import (
    content_path,
    originals_storage,
    renditions_storage,
    save_immutable,
)
from pins.models import Pin

BENCH_USERNAME = "bench"
BENCH_PASSWORD = "bench"  # noqa: S105 - a documented login for local benchmark databases only

Progress = Callable[[int, int], None]

# --- Vocabulary --------------------------------------------------------------------------------
# Real English words, most frequent first: the generic words of idea boards, then topic words in
# a fixed interleaved order. Ranks follow Zipf's law, so a search for "ideas" matches a large
# share of the catalog and one for "quince" a handful of pins, as in real text.

_GENERIC = """
ideas easy diy home simple best small modern decor style design recipes summer healthy
inspiration beautiful cute vintage natural quick homemade cozy minimalist white black green
winter outfit garden kitchen living room wall art holiday christmas wedding party bedroom
cheap creative unique spring fall autumn classic rustic colorful pretty fun perfect
aesthetic elegant budget organization storage tips family weekend favorite bright dark light
"""

_TOPICS = """
chicken salad pasta soup bread cake cookies chocolate dessert breakfast dinner lunch vegan
vegetarian sourdough muffins pancakes smoothie coffee tea cocktail lemon garlic tomato
avocado salmon beef pork shrimp rice noodles curry tacos pizza burger sandwich cheese butter
cinnamon vanilla strawberry blueberry banana apple peach cherry pumpkin potato carrot
spinach kale mushroom onion pepper basil rosemary thyme ginger honey maple caramel pecan
almond walnut oats granola yogurt brunch picnic grill roast bake stew casserole skillet
sofa chair table lamp rug curtain pillow blanket shelf shelves cabinet drawer mirror frame
plant plants succulent fern cactus orchid rose tulip peony lavender sunflower daisy hydrangea
herb herbs vegetable tomatoes balcony patio porch backyard fence pathway pond fountain
planter pots terrace greenhouse raised bed compost seeds bulbs hedge lawn shade climbing
dress jeans jacket coat sweater boots sneakers sandals skirt blouse scarf hat bag purse
jewelry necklace earrings ring bracelet watch sunglasses denim linen wool silk leather
cotton velvet knit lace pattern stripes floral plaid neutral beige cream navy olive
hair makeup nails skincare braids curls bob lipstick eyeshadow manicure
travel beach mountain lake forest island city village coast desert canyon waterfall river
hiking camping road trip paris rome tokyo london iceland italy greece japan mexico
bali santorini venice kyoto barcelona lisbon amsterdam prague vienna
painting drawing sketch watercolor illustration poster print photography portrait landscape
abstract sculpture pottery ceramics calligraphy lettering typography collage mural
knitting crochet sewing quilt embroidery weaving macrame woodworking candle soap
paper origami scrapbook journal planner bullet notebook stickers stamps
bathroom laundry closet pantry entryway hallway nursery office studio attic basement
tile marble wood concrete brick stone brass copper glass rattan wicker bamboo
farmhouse scandinavian bohemian industrial coastal mediterranean japandi victorian
architecture house cabin cottage apartment loft barn villa tiny renovation remodel
workout yoga fitness running pilates stretching meditation wellness
baby toddler kids nursery toys birthday baby shower gender reveal classroom teacher
dog cat puppy kitten pets aquarium bird horse
wedding bride bouquet cake centerpiece invitation veil ceremony reception
halloween easter thanksgiving valentines hanukkah
tattoo logo branding font website poster packaging
car motorcycle bicycle van sailing
window door staircase ceiling floor fireplace mantel bench stool ottoman desk bookcase
headboard canopy bunk crib dresser nightstand wardrobe vanity sink faucet bathtub shower
countertop backsplash island hood oven stove fridge dishwasher kettle teapot mug plate bowl
platter tray basket jar vase candleholder lantern chandelier pendant sconce bulb lights
garland wreath ornament stocking advent tablescape napkin placemat runner coaster
spoon fork knife cutting board apron oven mitt recipe card spice rack pegboard hooks
chalkboard whiteboard corkboard calendar clock globe map atlas bookends magazine
cardigan blazer trench parka vest hoodie leggings shorts trousers overalls jumpsuit romper
loafers heels flats mules clogs slippers socks tights belt gloves beanie beret headband
tote backpack clutch wallet keychain brooch pendant anklet cufflinks tie bowtie suspenders
lemonade sangria mojito margarita espresso latte cappuccino matcha chai cider punch
lasagna risotto gnocchi ravioli dumplings ramen sushi paella falafel hummus guacamole salsa
quiche frittata omelette waffles crepes scones biscuits brownies cupcakes cheesecake tart
pie crumble cobbler pudding custard mousse truffles fudge macarons donuts bagels pretzels
focaccia baguette brioche croissant ciabatta tortilla flatbread crackers
broccoli cauliflower zucchini eggplant asparagus beets radish cucumber lettuce cabbage
celery leek peas beans lentils chickpeas quinoa barley couscous polenta tofu tempeh
mango pineapple coconut lime orange grapefruit pomegranate fig plum pear grapes kiwi melon
raspberry cranberry blackberry cherries apricot nectarine dates raisins
salmon tuna cod halibut scallops mussels oysters lobster crab anchovies sardines
steak brisket ribs meatballs sausage bacon ham turkey duck lamb
oregano parsley cilantro dill mint sage chives paprika cumin turmeric nutmeg clove
sugar flour yeast eggs milk cream buttermilk olive oil vinegar mustard mayonnaise ketchup
beach sunset sunrise ocean waves sand dunes cliffs harbor lighthouse pier boardwalk
mountains valley glacier volcano cave jungle rainforest safari prairie vineyard orchard
castle cathedral temple palace museum gallery library market bazaar cafe bakery bistro
skyline bridge street alley square fountain garden park trail summit campsite tent hammock
cruise train flight airport hotel hostel resort luggage passport itinerary
morocco peru vietnam thailand croatia portugal scotland ireland norway switzerland
canada australia kenya egypt turkey india china korea brazil argentina chile
florence naples sicily tuscany provence bordeaux seville madrid berlin munich copenhagen
stockholm oslo helsinki edinburgh dublin budapest krakow istanbul marrakech dubai
singapore seoul hanoi bangkok sydney melbourne vancouver montreal quebec chicago boston
nashville savannah charleston austin seattle portland denver yosemite yellowstone zion
sedona tulum havana cusco patagonia lisbon porto madeira azores hawaii alaska maine
guitar piano violin drums vinyl record player concert festival music album
camera film polaroid lens tripod darkroom
soccer football basketball baseball tennis golf swimming surfing skiing snowboarding
climbing kayaking canoeing fishing cycling skateboarding boxing dance ballet
chess puzzle board games cards dominoes
coding robot science math reading writing spelling alphabet numbers worksheet printable
classroom bulletin homeschool preschool kindergarten montessori sensory playdough slime
craft crafts paint brush canvas easel palette acrylic oil ink pen pencil marker crayon
glitter ribbon twine felt yarn fabric thread needle button zipper beads clay resin
hammer drill saw nails screws sandpaper stain varnish shellac plywood pallet crate
dollhouse treehouse playhouse swing slide sandbox trampoline
kitten cat dog puppy hamster rabbit bunny parrot chicken coop goat sheep cow alpaca
butterfly bee ladybug dragonfly hummingbird owl fox deer bear wolf whale dolphin turtle
moon stars galaxy planet constellation aurora rainbow clouds storm snow rain fog
quote quotes motivation affirmation mindset productivity habits goals budget savings
minimalism declutter cleaning hacks routine schedule checklist
wallpaper paint colors sage terracotta mustard blush emerald burgundy charcoal ivory
gold silver rose pink purple lilac yellow orange red blue teal turquoise grey brown tan
"""

# Words far down the list: rare in the catalog, so some searches match a few pins only.
_TAIL = """
quince persimmon kohlrabi fennel chervil sorrel tarragon marjoram lovage rhubarb gooseberry
elderflower damson medlar loquat kumquat tamarind cardamom saffron sumac juniper anise
verdigris terrazzo cornice wainscot transom lintel corbel gable dormer cupola pergola gazebo
trellis espalier topiary parterre arbor bramble heather thistle foxglove lupine aster
celadon vermilion ochre umber sienna chartreuse cerulean mauve taupe russet
mohair tweed chenille seersucker gingham chambray corduroy organza tulle brocade
fjord glacier tundra savanna lagoon atoll estuary archipelago plateau meadow
kintsugi shibori batik ikat boucle jacquard marquetry filigree repousse cloisonne
gouache charcoal pastel linocut etching lithograph woodcut
"""

_FUNCTION = """
the and with for your this that of in to a on is it my from these our how you all at by
so very just more make love new some about what best into over here really
"""

# Multi-word phrases, used whole so phrase searches find them adjacent and in order.
_PHRASES = (
    "living room ideas", "small space", "mid century modern", "chocolate chip cookies",
    "sourdough bread", "meal prep", "one pot", "sheet pan dinner", "farmhouse kitchen",
    "bathroom remodel", "boho bedroom", "gallery wall", "reading nook", "open shelving",
    "capsule wardrobe", "street style", "fall outfits", "summer dresses", "wedding dress",
    "nail art", "short hair", "road trip", "hidden gems", "travel tips", "van life",
    "vegetable garden", "container garden", "front porch", "raised garden bed",
    "home office", "kids room", "baby shower", "birthday party", "christmas tree",
    "halloween costume", "easy dinner", "healthy breakfast", "banana bread", "apple pie",
    "color palette", "tiny house", "log cabin", "coffee table", "accent wall",
    "watercolor painting", "pencil drawing", "hand lettering", "crochet pattern",
    "sewing project", "woodworking plans", "full body workout", "morning routine",
    "self care", "skin care routine", "bullet journal", "study tips", "cozy corner",
)  # fmt: skip

_TLDS = ("com", "com", "com", "co", "net", "org", "blog", "studio", "co.uk", "de")


def _words(block: str) -> list[str]:
    return block.split()


def _interleaved(words: list[str]) -> list[str]:
    """The topic words in a fixed scattered order, so no topic owns a band of ranks."""
    order = np.random.default_rng(20240611).permutation(len(words))
    return [words[i] for i in order]


@dataclass(frozen=True)
class Vocabulary:
    content: np.ndarray  # object array of words, most frequent first
    content_p: np.ndarray
    function: np.ndarray
    function_p: np.ndarray
    phrases: np.ndarray
    phrases_p: np.ndarray
    domains: np.ndarray
    domains_p: np.ndarray


def zipf_weights(count: int, exponent: float, offset: float = 0.0) -> np.ndarray:
    """Probabilities proportional to 1/(rank + offset)**exponent over `count` ranks.

    The offset (Mandelbrot's) flattens the head: in real text the top content word is a few
    percent of words, not a tenth.
    """
    weights = (np.arange(1, count + 1, dtype=np.float64) + offset) ** -exponent
    return weights / weights.sum()


def vocabulary() -> Vocabulary:
    tail = _words(_TAIL)
    content = list(dict.fromkeys([*_words(_GENERIC), *_interleaved(_words(_TOPICS))]))
    content += [word for word in dict.fromkeys(tail) if word not in set(content)]
    content_p = zipf_weights(len(content), 1.07, offset=10)
    # The tail words are rarer than the law alone makes them: a search for one finds a handful.
    content_p[-len(tail) :] *= 0.03
    function = _words(_FUNCTION)
    pairs = np.random.default_rng(7).integers(0, 150, size=(400, 2))
    domains = list(
        dict.fromkeys(
            f"{content[a]}{content[b]}.{_TLDS[(a + b) % len(_TLDS)]}" for a, b in pairs if a != b
        )
    )
    return Vocabulary(
        content=np.array(content, dtype=object),
        content_p=content_p / content_p.sum(),
        function=np.array(function, dtype=object),
        function_p=zipf_weights(len(function), 0.8),
        phrases=np.array(_PHRASES, dtype=object),
        phrases_p=zipf_weights(len(_PHRASES), 1.0),
        domains=np.array(domains, dtype=object),
        domains_p=zipf_weights(len(domains), 1.1),
    )


# --- Colour ------------------------------------------------------------------------------------


_LINEAR_TO_LMS = np.array(
    [
        [0.4122214708, 0.5363325363, 0.0514459929],
        [0.2119034982, 0.6806995451, 0.1073969566],
        [0.0883024619, 0.2817188376, 0.6299787005],
    ]
)
_LMS_TO_OKLAB = np.array(
    [
        [0.2104542553, 0.7936177850, -0.0040720468],
        [1.9779984951, -2.4285922050, 0.4505937099],
        [0.0259040371, 0.7827717662, -0.8086757660],
    ]
)


def srgb_to_oklab(rgb: np.ndarray) -> np.ndarray:
    """OKLab (L, a, b) of 8-bit sRGB rows: linearise, then Ottosson's two matrices."""
    c = rgb.astype(np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return np.cbrt(linear @ _LINEAR_TO_LMS.T) @ _LMS_TO_OKLAB.T


def _dominant_colours(rng: np.random.Generator, count: int) -> np.ndarray:
    """8-bit RGB rows, mostly muted and light as photos' dominant colours are."""
    hue = rng.random(count) * 6.0
    saturation = rng.beta(2.0, 3.5, count)
    value = rng.beta(3.5, 2.0, count)
    chroma = value * saturation
    x = chroma * (1 - np.abs(hue % 2 - 1))
    zero = np.zeros(count)
    sector = hue.astype(np.int64) % 6
    r = np.choose(sector, [chroma, x, zero, zero, x, chroma])
    g = np.choose(sector, [x, chroma, chroma, x, zero, zero])
    b = np.choose(sector, [zero, zero, x, chroma, chroma, x])
    base = value - chroma
    rgb = np.stack([r + base, g + base, b + base], axis=1)
    return np.clip(np.rint(rgb * 255), 0, 255).astype(np.int64)


def _hex_colours(rgb: np.ndarray) -> list[str]:
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb.tolist()]


def _phashes(rng: np.random.Generator, count: int) -> np.ndarray:
    """Signed 64-bit hashes; about 6% are near duplicates a few bits from a cluster's first."""
    hashes = rng.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max, size=count)
    copies = rng.random(count) < 0.06
    if count > 10:
        roots = rng.choice(count, size=max(1, count // 200), replace=False)
        # Cluster sizes follow a power law too: a few images are reposted many times.
        sizes = zipf_weights(len(roots), 1.0)
        picked = roots[rng.choice(len(roots), size=int(copies.sum()), p=sizes)]
        flips = np.zeros(len(picked), dtype=np.uint64)
        for _ in range(4):
            bit = rng.integers(0, 64, size=len(picked)).astype(np.uint64)
            flips |= np.where(rng.random(len(picked)) < 0.6, np.uint64(1) << bit, np.uint64(0))
        flips |= np.uint64(1) << rng.integers(0, 64, size=len(picked)).astype(np.uint64)
        hashes[copies] = (hashes[picked].view(np.uint64) ^ flips).view(np.int64)
    return hashes


# --- Image files ---------------------------------------------------------------------------------

_ASSET_SHAPES = ((2, 3), (1, 1), (3, 4), (4, 5), (9, 16), (4, 3), (16, 9), (1, 2), (5, 7), (2, 3))


@dataclass(frozen=True)
class Asset:
    """One real image, processed once: every generated media record points at one of these."""

    original: str
    width: int
    height: int
    has_alpha: bool
    placeholder: str
    renditions: tuple[tuple[str, str, int, int, str, int], ...]  # name, format, w, h, file, bytes


@functools.cache
def _pictures() -> tuple[tuple[bytes, imaging.ProcessedImage], ...]:
    """The pictures and their renditions, made once per process: the pipeline is the slow part,
    writing the files (again, into whatever storage is current) is not. They are the same for
    every seed, so every catalog shares one set of files."""
    from pins.demo import demo_image

    pictures = []
    for number, shape in enumerate(_ASSET_SHAPES):
        picture = random.Random(number)  # noqa: S311 - pictures, not secrets
        data = _shaped(demo_image(picture, long_side=1400), shape)
        pictures.append((data, imaging.process_image(data)))
    return tuple(pictures)


def _assets() -> list[Asset]:
    assets = []
    for data, processed in _pictures():
        original = save_immutable(originals_storage(), content_path("o", data, "jpg"), data)
        storage = renditions_storage()
        renditions = tuple(
            (
                out.name,
                out.format,
                out.width,
                out.height,
                save_immutable(storage, content_path(out.name, out.data, out.extension), out.data),
                len(out.data),
            )
            for out in processed.renditions
        )
        assets.append(
            Asset(
                original=original,
                width=processed.width,
                height=processed.height,
                has_alpha=processed.has_alpha,
                placeholder=processed.placeholder,
                renditions=renditions,
            )
        )
    return assets


def _shaped(data: bytes, shape: tuple[int, int]) -> bytes:
    """The demo picture cropped to an exact aspect ratio, so the grid gets every shape."""
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    ratio_w, ratio_h = shape
    width = min(image.width, image.height * ratio_w // ratio_h)
    height = width * ratio_h // ratio_w
    cropped = image.crop((0, 0, width, height))
    output = io.BytesIO()
    cropped.save(output, format="JPEG", quality=88)
    return output.getvalue()


# --- Rows ----------------------------------------------------------------------------------------

# A column is a numpy array (no NULLs), a list (None is NULL) or one value for every row.
Column = np.ndarray | list | Any


@dataclass
class Table:
    model: type[models.Model]
    count: int
    columns: dict[str, Column]  # by field attname


def _insertable(model: type[models.Model], provided: dict[str, Column]) -> list[models.Field]:
    """The fields to write, from `_meta`; unknown required fields stop the run."""
    fields = []
    for f in model._meta.concrete_fields:
        if getattr(f, "generated", False):
            continue
        # A blank text field without a default is saved as "" by the ORM, so it is here too.
        blank_text = f.blank and f.empty_strings_allowed and not f.null
        if f.attname in provided or f.has_default() or blank_text:
            fields.append(f)
        elif not f.null and f.db_default is models.NOT_PROVIDED:
            raise GenerationError(
                f"{model._meta.label}.{f.name} is required and the generator does not fill it"
            )
    return fields


class GenerationError(Exception):
    """The request cannot be carried out; the message is one line for the command to print."""


def _copy_escape(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def _copy_texts(column: Column, count: int) -> Sequence[str]:
    """One column in PostgreSQL's COPY text format."""
    if isinstance(column, np.ndarray):
        if column.dtype.kind == "M":
            return np.datetime_as_string(column, unit="us", timezone="UTC").tolist()
        if column.dtype.kind == "b":
            return ["t" if v else "f" for v in column.tolist()]
        if column.dtype.kind == "f":
            return list(map(repr, column.tolist()))
        return list(map(str, column.tolist()))
    if isinstance(column, list):
        return [
            "\\N"
            if v is None
            else _copy_escape(v)
            if isinstance(v, str)
            else ("t" if v else "f")
            if isinstance(v, bool)
            else str(v)
            for v in column
        ]
    return [_copy_scalar(column)] * count


def _copy_scalar(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return _copy_escape(value)
    return str(value)


def _python_values(column: Column, count: int) -> list:
    if isinstance(column, np.ndarray):
        if column.dtype.kind == "M":
            return [
                moment.replace(tzinfo=UTC) for moment in column.astype("datetime64[us]").tolist()
            ]
        return column.tolist()
    if isinstance(column, list):
        return column
    return [column] * count


COPY_CHUNK = 50_000


class _Writer:
    """Streams tables into the database: COPY on PostgreSQL, batched INSERTs elsewhere."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total = total
        self.done = 0
        self.progress = progress
        self.copy = connection.vendor == "postgresql"

    def write(self, table: Table) -> None:
        fields = _insertable(table.model, table.columns)
        values = {
            f.attname: table.columns[f.attname] if f.attname in table.columns else f.get_default()
            for f in fields
        }
        quote = connection.ops.quote_name
        names = ", ".join(quote(f.column) for f in fields)
        target = f"{quote(table.model._meta.db_table)} ({names})"
        with connection.cursor() as cursor:
            for start in range(0, table.count, COPY_CHUNK):
                stop = min(start + COPY_CHUNK, table.count)
                chunk = {name: _slice(column, start, stop) for name, column in values.items()}
                if self.copy:
                    self._copy(cursor, target, fields, chunk, stop - start)
                else:
                    self._insert(cursor, target, fields, chunk, stop - start)
                self._advance(stop - start)

    def _copy(self, cursor, target: str, fields, chunk: dict[str, Column], count: int) -> None:
        texts = [_copy_texts(chunk[f.attname], count) for f in fields]
        buffer = io.StringIO()
        for row in zip(*texts, strict=True):
            buffer.write("\t".join(row))
            buffer.write("\n")
        buffer.seek(0)
        cursor.cursor.copy_expert(f"COPY {target} FROM STDIN", buffer)

    def _insert(self, cursor, target: str, fields, chunk: dict[str, Column], count: int) -> None:
        columns = [
            [f.get_db_prep_save(v, connection) for v in _python_values(chunk[f.attname], count)]
            for f in fields
        ]
        marks = ", ".join(["%s"] * len(fields))
        cursor.executemany(
            f"INSERT INTO {target} VALUES ({marks})",  # noqa: S608 - names come from _meta
            list(zip(*columns, strict=True)),
        )

    def _advance(self, rows: int) -> None:
        self.done += rows
        if self.progress is not None:
            self.progress(self.done, self.total)


def _slice(column: Column, start: int, stop: int) -> Column:
    if isinstance(column, np.ndarray | list):
        return column[start:stop]
    return column


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


# --- The catalog ---------------------------------------------------------------------------------

SECONDS_PER_DAY = 86_400
HISTORY_DAYS = 3 * 365
REPIN_SHARE = 0.35
SECTION_SHARE = 0.6  # of the pins on a board that has sections
RENDITIONS_PER_MEDIA = 2 * len(imaging.RENDITIONS)
ROWS_PER_BATCH = 50_000


@dataclass(frozen=True)
class CatalogSpec:
    pins: int
    users: int
    boards: int
    seed: int = 1
    secret_share: float = 0.05

    def check(self) -> None:
        for name in ("pins", "users", "boards"):
            if getattr(self, name) < 1:
                raise GenerationError(f"--{name} must be a positive integer")
        if not 0 <= self.secret_share <= 1:
            raise GenerationError("--secret-share must be between 0 and 1")


@dataclass
class GenerationResult:
    users: int = 0
    boards: int = 0
    sections: int = 0
    media: int = 0
    renditions: int = 0
    pins: int = 0
    repins: int = 0
    follows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _title_case(words: Sequence[str]) -> str:
    text = " ".join(words)
    return text[:1].upper() + text[1:]


class _Texts:
    """Titles, descriptions, links and names drawn from the Zipf vocabulary, a batch at a time."""

    def __init__(self, rng: np.random.Generator, words: Vocabulary) -> None:
        self.rng = rng
        self.words = words

    def _draw(self, pool: np.ndarray, p: np.ndarray, lengths: np.ndarray) -> Iterator[list[str]]:
        drawn = pool[self.rng.choice(len(pool), size=int(lengths.sum()), p=p)].tolist()
        start = 0
        for length in lengths.tolist():
            yield drawn[start : start + length]
            start += length

    def content(self, lengths: np.ndarray) -> Iterator[list[str]]:
        return self._draw(self.words.content, self.words.content_p, lengths)

    def _phrase_or_none(self, count: int, share: float) -> list[str | None]:
        picked = self.words.phrases[
            self.rng.choice(len(self.words.phrases), size=count, p=self.words.phrases_p)
        ].tolist()
        keep = (self.rng.random(count) < share).tolist()
        return [phrase if wanted else None for phrase, wanted in zip(picked, keep, strict=True)]

    def titles(self, count: int) -> list[str]:
        lengths = self.rng.integers(2, 7, size=count)
        phrases = self._phrase_or_none(count, 0.25)
        titles = []
        for words, phrase in zip(self.content(lengths), phrases, strict=True):
            if phrase is not None:
                words = [phrase, *words[:-2]]
            titles.append(_title_case(list(dict.fromkeys(words)))[:100].rstrip())
        return titles

    def descriptions(self, count: int) -> list[str]:
        present = self.rng.random(count) < 0.7
        lengths = np.where(present, self.rng.integers(5, 31, size=count), 0)
        glue = self._draw(
            self.words.function, self.words.function_p, np.rint(lengths * 0.35).astype(np.int64)
        )
        phrases = self._phrase_or_none(count, 0.3)
        out = []
        for words, joiners, phrase in zip(self.content(lengths), glue, phrases, strict=True):
            if not words:
                out.append("")
                continue
            mixed = []
            for index, word in enumerate(words):
                mixed.append(word)
                if index < len(joiners):
                    mixed.append(joiners[index])
            if phrase is not None:
                mixed.insert(len(mixed) // 2, phrase)
            out.append((_title_case(mixed) + ".")[:800])
        return out

    def links(self, titles: list[str]) -> list[str]:
        count = len(titles)
        domains = self.words.domains[
            self.rng.choice(len(self.words.domains), size=count, p=self.words.domains_p)
        ].tolist()
        present = (self.rng.random(count) < 0.7).tolist()
        www = (self.rng.random(count) < 0.5).tolist()
        return [
            f"https://{'www.' if w else ''}{domain}/{slugify(title)[:80] or 'idea'}"
            if wanted
            else ""
            for domain, title, wanted, w in zip(domains, titles, present, www, strict=True)
        ]

    def names(self, count: int) -> list[str]:
        """Board names: one to three words, or a phrase."""
        phrases = self._phrase_or_none(count, 0.2)
        words = self.content(self.rng.integers(1, 4, size=count))
        return [
            _title_case([phrase] if phrase else chosen)
            for chosen, phrase in zip(words, phrases, strict=True)
        ]


def _weighted(rng: np.random.Generator, count: int, exponent: float) -> np.ndarray:
    """Power-law probabilities over `count` items in a random order (the big ones are anywhere)."""
    weights = np.empty(count)
    weights[rng.permutation(count)] = zipf_weights(count, exponent)
    return weights


def _days(rng: np.random.Generator, count: int, days: float) -> np.ndarray:
    return (rng.random(count) * days * SECONDS_PER_DAY).astype("timedelta64[s]")


def _unique_within(names: list[str], groups: list[int], taken: set[tuple[int, str]]) -> list[str]:
    """Names made unique within each group (a board's owner, a section's board), ignoring case,
    as the constraints require."""
    out = []
    for name, group in zip(names, groups, strict=True):
        candidate, number = name, 1
        while (group, candidate.lower()) in taken:
            number += 1
            candidate = f"{name} {number}"
        taken.add((group, candidate.lower()))
        out.append(candidate)
    return out


@dataclass(frozen=True)
class _Sections:
    board: np.ndarray  # board index of each section
    names: list[str]
    position: np.ndarray
    first: np.ndarray  # per board: index of its first section
    count_of: np.ndarray  # per board: how many sections it has

    @property
    def count(self) -> int:
        return len(self.board)


def _sections(rng: np.random.Generator, texts: _Texts, board_weight: np.ndarray) -> _Sections:
    """Two to six sections on some boards, more often on big ones."""
    boards = len(board_weight)
    big = board_weight >= np.quantile(board_weight, 0.8)
    count_of = np.where(
        rng.random(boards) < np.where(big, 0.5, 0.1), rng.integers(2, 7, size=boards), 0
    )
    first = np.concatenate([[0], np.cumsum(count_of)[:-1]])
    board = np.repeat(np.arange(boards), count_of)
    position = np.arange(len(board)) - first[board]
    names = _unique_within(
        [_title_case(words) for words in texts.content(np.ones(len(board), dtype=np.int64))],
        board.tolist(),
        set(),
    )
    return _Sections(board=board, names=names, position=position, first=first, count_of=count_of)


def _repins(
    rng: np.random.Generator,
    target: int,
    o_board: np.ndarray,
    popularity: np.ndarray,
    board_weight: np.ndarray,
    bench_boards: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(parent, board) index pairs of saves: popular pins saved most, each at most once per board,
    never onto the board it came from."""
    boards = len(board_weight)
    parents = np.empty(0, dtype=np.int64)
    targets = np.empty(0, dtype=np.int64)
    for attempt in range(30):
        wanted = target - len(parents)
        if wanted <= 0:
            break
        size = int(wanted * 1.3) + 16
        # Late rounds pick parents evenly: the popular pins' slots may be used up.
        p = popularity if attempt < 20 else None
        parent = rng.choice(len(o_board), size=size, p=p)
        board = rng.choice(boards, size=size, p=board_weight)
        if attempt == 0 and bench_boards:
            # The benchmark user saves too, so its home and boards have fresh saves.
            mine = min(size, max(3, target // 50))
            board[:mine] = rng.integers(0, bench_boards, size=mine)
        keep = board != o_board[parent]
        parents = np.concatenate([parents, parent[keep]])
        targets = np.concatenate([targets, board[keep]])
        _, first = np.unique(parents * boards + targets, return_index=True)
        first.sort()
        parents, targets = parents[first][:target], targets[first][:target]
    return parents, targets


def _media_table(
    rng: np.random.Generator,
    assets: list[Asset],
    asset: np.ndarray,
    owner: np.ndarray,
    created: np.ndarray,
    ids: np.ndarray,
    phash: np.ndarray,
) -> Table:
    count = len(ids)
    rgb = _dominant_colours(rng, count)
    lab = srgb_to_oklab(rgb)
    digests = rng.bytes(32 * count).hex()
    return Table(
        MediaRecord,
        count,
        {
            "id": ids,
            "owner_id": owner,
            "original": [assets[a].original for a in asset.tolist()],
            "sha256": [digests[i * 64 : (i + 1) * 64] for i in range(count)],
            "format": MediaRecord.Format.JPEG.value,
            "width": np.array([a.width for a in assets])[asset],
            "height": np.array([a.height for a in assets])[asset],
            "status": MediaRecord.Status.READY.value,
            "attempts": 1,
            "dominant_color": _hex_colours(rgb),
            "placeholder": [assets[a].placeholder for a in asset.tolist()],
            "phash": phash,
            "color_l": lab[:, 0],
            "color_a": lab[:, 1],
            "color_b": lab[:, 2],
            "has_alpha": np.array([a.has_alpha for a in assets])[asset],
            "created_at": created,
            "updated_at": created,
        },
    )


def _renditions_table(assets: list[Asset], asset: np.ndarray, media_ids: np.ndarray, base: int):
    per = len(assets[0].renditions)
    template = np.array([list(zip(*a.renditions, strict=True)) for a in assets], dtype=object)
    # template[asset, column, k]: name, format, width, height, file, bytes of rendition k.
    rows = template[asset]
    count = len(media_ids) * per
    return Table(
        Rendition,
        count,
        {
            "id": np.arange(base, base + count),
            "media_id": np.repeat(media_ids, per),
            "name": rows[:, 0].ravel().tolist(),
            "format": rows[:, 1].ravel().tolist(),
            "width": rows[:, 2].ravel().astype(np.int64),
            "height": rows[:, 3].ravel().astype(np.int64),
            "file": rows[:, 4].ravel().tolist(),
            "bytes": rows[:, 5].ravel().astype(np.int64),
        },
    )


def _follow_models() -> tuple[type[models.Model] | None, type[models.Model] | None]:
    if not apps.is_installed("follows"):
        return None, None
    config = apps.get_app_config("follows")
    found = {model.__name__: model for model in config.get_models()}
    return found.get("UserFollow"), found.get("BoardFollow")


def _foreign_keys(model: type[models.Model], target: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is target and not f.null
    ]


def _follow_pairs(
    rng: np.random.Generator, followers: int, p: np.ndarray, mean: float
) -> tuple[np.ndarray, np.ndarray]:
    """Who follows what, as index pairs: most people follow a few, some follow hundreds, and
    popular targets (by `p`) gain the most followers. The Zipf(2.2) draw averages about 3.75."""
    per = np.minimum(rng.zipf(2.2, size=followers) * mean / 3.75, len(p)).astype(np.int64)
    who = np.repeat(np.arange(followers), per)
    what = rng.choice(len(p), size=len(who), p=p)
    _, first = np.unique(who * len(p) + what, return_index=True)
    first.sort()
    return who[first], what[first]


@dataclass
class _Follows:
    tables: list[Table] = field(default_factory=list)
    # Denormalised counters, by field name, for the user and board rows.
    user_counts: dict[str, np.ndarray] = field(default_factory=dict)
    board_counts: dict[str, np.ndarray] = field(default_factory=dict)


def _follows(
    rng: np.random.Generator,
    user_ids: np.ndarray,
    board_ids: np.ndarray,
    board_owner: np.ndarray,
    secret: np.ndarray,
    user_weight: np.ndarray,
    board_weight: np.ndarray,
    now: np.datetime64,
) -> _Follows:
    """Follow rows when the follows app is installed and shaped as expected; none otherwise.

    As the follow services allow: nobody follows themselves or their own board, and nobody but
    the owner can see, so follow, a secret board.
    """
    user_follow, board_follow = _follow_models()
    out = _Follows()
    users = len(user_ids)
    if user_follow is not None and len(keys := _foreign_keys(user_follow, User)) == 2:
        # The follower field is the one named so; the other is the person followed.
        keys.sort(key=lambda f: "follower" not in f.name)
        who, whom = _follow_pairs(rng, users, user_weight, 8)
        keep = who != whom
        who, whom = who[keep], whom[keep]
        out.tables.append(_follow_table(rng, user_follow, keys, user_ids[who], user_ids[whom], now))
        out.user_counts["following_count"] = np.bincount(who, minlength=users)
        out.user_counts["follower_count"] = np.bincount(whom, minlength=users)
    if board_follow is not None:
        by_user, by_board = _foreign_keys(board_follow, User), _foreign_keys(board_follow, Board)
        if len(by_user) == 1 and len(by_board) == 1:
            who, what = _follow_pairs(rng, users, board_weight, 5)
            keep = ~secret[what] & (board_owner[what] != user_ids[who])
            who, what = who[keep], what[keep]
            keys = [by_user[0], by_board[0]]
            out.tables.append(
                _follow_table(rng, board_follow, keys, user_ids[who], board_ids[what], now)
            )
            out.board_counts["follower_count"] = np.bincount(what, minlength=len(board_ids))
    return out


def _counters(model: type[models.Model], counts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The counters the model really has (another app keeps them; their names may change)."""
    names = {f.attname for f in model._meta.concrete_fields}
    return {name: values for name, values in counts.items() if name in names}


def _follow_table(
    rng: np.random.Generator,
    model: type[models.Model],
    keys: list[models.Field],
    first: np.ndarray,
    second: np.ndarray,
    now: np.datetime64,
) -> Table:
    base = _next_id(model)
    count = len(first)
    columns: dict[str, Column] = {
        model._meta.pk.attname: np.arange(base, base + count),
        keys[0].attname: first,
        keys[1].attname: second,
    }
    for f in model._meta.concrete_fields:
        if isinstance(f, models.DateTimeField) and f.attname not in columns:
            columns[f.attname] = (now - _days(rng, count, 365)).astype("datetime64[us]")
    return Table(model, count, columns)


def _reset_sequences(written: list[type[models.Model]]) -> None:
    """Point each id sequence past the ids written, so the next ordinary insert fits."""
    statements = connection.ops.sequence_reset_sql(no_style(), written)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _lock(written: list[type[models.Model]]) -> None:
    """Writers wait until we are done (ids were taken as max + 1); readers carry on."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # Checked per COPY statement rather than queued for millions of rows until commit.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for model in written:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")


def _drop_secondary_indexes(models_: list[type[models.Model]]) -> list[str]:
    """Drop the indexes that back no constraint on these tables; return how to make them again.

    Building an index once over all the rows is several times faster than updating it row by row
    (a GIN index over search vectors most of all). Constraints' indexes stay: they check the
    rows as they come. Inside the load's transaction, so a failed load gets them back as well.
    """
    if connection.vendor != "postgresql" or not models_:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[])
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [[m._meta.db_table for m in models_]],
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in found]


def _create_indexes(definitions: list[str]) -> None:
    with connection.cursor() as cursor:
        if definitions:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in definitions:
            cursor.execute(definition)


@transaction.atomic
def catalog_generate(*, spec: CatalogSpec, progress: Progress | None = None) -> GenerationResult:
    """Add a synthetic catalog of `spec.pins` pins (and its users, boards, sections, media,
    renditions and follows) to the database, in one transaction."""
    spec.check()
    started = time.monotonic()
    follow_models = [m for m in _follow_models() if m is not None]
    written = [User, Board, BoardSection, MediaRecord, Rendition, Pin, *follow_models]
    _lock(written)
    rng = np.random.default_rng(spec.seed)
    texts = _Texts(rng, vocabulary())
    now = np.datetime64(datetime.now(UTC).replace(tzinfo=None), "s")
    history_start = now - np.timedelta64(HISTORY_DAYS, "D")

    # Users: the generated ones, then the benchmark login unless it exists.
    user_base = _next_id(User)
    user_ids = np.arange(user_base, user_base + spec.users)
    first_words = texts.words.content[rng.integers(0, 300, size=spec.users)].tolist()
    second_words = texts.words.content[rng.integers(0, 600, size=spec.users)].tolist()
    usernames = [
        f"{a[:10]}_{b[:10]}{uid}"
        for a, b, uid in zip(first_words, second_words, user_ids.tolist(), strict=True)
    ]
    # Generated people cannot log in: one unusable hash is as good as one each.
    passwords = [make_password(None)] * spec.users
    bench = User.objects.filter(username__iexact=BENCH_USERNAME).first()
    if bench is None:
        bench_id = user_base + spec.users
        user_ids = np.append(user_ids, bench_id)
        usernames.append(BENCH_USERNAME)
        passwords.append(make_password(BENCH_PASSWORD))
    else:
        bench_id = bench.pk
    user_weight = _weighted(rng, len(user_ids), 0.7)

    # Boards: a few people curate dozens; sizes are skewed harder still.
    board_base = _next_id(Board)
    board_ids = np.arange(board_base, board_base + spec.boards)
    board_owner = user_ids[: spec.users][
        rng.choice(spec.users, size=spec.boards, p=_weighted(rng, spec.users, 0.7))
    ]
    bench_boards = min(spec.boards, max(1, min(8, spec.boards // 20)))
    board_owner[:bench_boards] = bench_id
    secret = rng.random(spec.boards) < spec.secret_share
    if bench_boards > 1:
        secret[bench_boards - 1] = True  # so the benchmark login has secret pins to see
    board_weight = _weighted(rng, spec.boards, 0.8)
    taken = {
        (bench_id, name.lower())
        for name in Board.objects.filter(owner_id=bench_id).values_list("name", flat=True)
    }
    board_names = _unique_within(texts.names(spec.boards), board_owner.tolist(), taken)

    # Pins: originals over three years, denser lately; saves follow the popular ones.
    repin_target = round(spec.pins * REPIN_SHARE) if spec.boards > 1 else 0
    o_board = rng.choice(spec.boards, size=spec.pins - repin_target, p=board_weight)
    popularity = _weighted(rng, len(o_board), 1.0)
    r_parent, r_board = _repins(rng, repin_target, o_board, popularity, board_weight, bench_boards)
    # Saves that could not be placed (too few boards) become originals, so the total holds.
    extra = spec.pins - len(o_board) - len(r_parent)
    o_board = np.concatenate([o_board, rng.choice(spec.boards, size=extra, p=board_weight)])
    originals = len(o_board)
    o_time = history_start + (
        np.sqrt(rng.random(originals)) * HISTORY_DAYS * SECONDS_PER_DAY
    ).astype("timedelta64[s]")
    r_time = np.minimum(
        o_time[r_parent] + rng.exponential(45 * SECONDS_PER_DAY, len(r_parent)).astype("m8[s]"),
        now,
    )
    # The benchmark login's saves are recent, so its boards lead with fresh pins.
    mine = r_board < bench_boards
    r_time[mine] = np.maximum(now - _days(rng, int(mine.sum()), 3), o_time[r_parent[mine]])

    # Ids in time order, so newest-first by id is newest-first by date, as in real use.
    times = np.concatenate([o_time, r_time])
    order = np.argsort(times, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    pin_base = _next_id(Pin)
    source = np.concatenate([np.arange(originals), r_parent])[order]  # the original's index
    is_repin = order >= originals
    parent_id = np.where(is_repin, pin_base + rank[source], -1)
    board_of = np.concatenate([o_board, r_board])[order]
    pin_time = times[order].astype("datetime64[us]")

    sections = _sections(rng, texts, board_weight)
    section_base = _next_id(BoardSection)
    has_sections = sections.count_of[board_of] > 0
    in_section = has_sections & (rng.random(len(order)) < SECTION_SHARE)
    section_of = np.where(
        in_section,
        section_base
        + sections.first[board_of]
        + (rng.random(len(order)) * sections.count_of[board_of]).astype(np.int64),
        -1,
    )

    follows = _follows(
        rng, user_ids, board_ids, board_owner, secret, user_weight, board_weight, now
    )
    media_base = _next_id(MediaRecord)
    rendition_base = _next_id(Rendition)
    total = (
        len(user_ids) + spec.boards + sections.count + originals * (1 + RENDITIONS_PER_MEDIA)
        + len(order) + sum(t.count for t in follows.tables)
    )  # fmt: skip
    adding = {
        User: (len(user_ids), user_base),
        Board: (spec.boards, board_base),
        MediaRecord: (originals, media_base),
        Rendition: (originals * RENDITIONS_PER_MEDIA, rendition_base),
        Pin: (len(order), pin_base),
    }
    # Only worth it when the load at least doubles a table (ids approximate the rows there).
    rebuilt = _drop_secondary_indexes(
        [model for model, (count, base) in adding.items() if count >= base - 1]
    )
    writer = _Writer(total, progress)
    writer.write(
        Table(
            User,
            len(user_ids),
            {
                "id": user_ids,
                "username": usernames,
                "password": passwords,
                "date_joined": (history_start + _days(rng, len(user_ids), 30)).astype("M8[us]"),
                "is_active": True,
                **_counters(User, follows.user_counts),
            },
        )
    )
    last_pin = np.full(spec.boards, -1, dtype=np.int64)
    np.maximum.at(last_pin, board_of, pin_time.view(np.int64))
    writer.write(
        Table(
            Board,
            spec.boards,
            {
                "id": board_ids,
                "owner_id": board_owner,
                "name": board_names,
                "slug": [slugify(name) for name in board_names],
                "description": texts.descriptions(spec.boards),
                "privacy": np.where(
                    secret, Board.Privacy.SECRET.value, Board.Privacy.PUBLIC.value
                ).tolist(),
                "created_at": (history_start - _days(rng, spec.boards, 30)).astype("M8[us]"),
                "pins_modified_at": [
                    None if t < 0 else datetime.fromtimestamp(t / 1e6, UTC)
                    for t in last_pin.tolist()
                ],
                **_counters(Board, follows.board_counts),
            },
        )
    )
    writer.write(
        Table(
            BoardSection,
            sections.count,
            {
                "id": np.arange(section_base, section_base + sections.count),
                "board_id": board_base + sections.board,
                "name": sections.names,
                "position": sections.position,
            },
        )
    )

    assets = _assets()
    media_asset = rng.integers(0, len(assets), size=originals)
    phashes = _phashes(rng, originals)
    for start in range(0, originals, ROWS_PER_BATCH):
        batch = slice(start, min(start + ROWS_PER_BATCH, originals))
        ids = np.arange(media_base + batch.start, media_base + batch.stop)
        writer.write(
            _media_table(
                rng,
                assets,
                media_asset[batch],
                board_owner[o_board[batch]],
                o_time[batch].astype("M8[us]"),
                ids,
                phashes[batch],
            )
        )
        writer.write(
            _renditions_table(
                assets, media_asset[batch], ids, rendition_base + batch.start * RENDITIONS_PER_MEDIA
            )
        )

    titles = texts.titles(originals)
    for start in range(0, len(order), ROWS_PER_BATCH):
        batch = slice(start, min(start + ROWS_PER_BATCH, len(order)))
        count = batch.stop - batch.start
        repin = is_repin[batch].tolist()
        batch_titles = [titles[i] for i in source[batch].tolist()]
        descriptions = iter(texts.descriptions(count - sum(repin)))
        links = iter(texts.links([t for t, r in zip(batch_titles, repin, strict=True) if not r]))
        # A save keeps the media and title, as pin_save does, and nothing else.
        writer.write(
            Table(
                Pin,
                count,
                {
                    "id": np.arange(pin_base + batch.start, pin_base + batch.stop),
                    "board_id": board_base + board_of[batch],
                    "section_id": [None if s < 0 else s for s in section_of[batch].tolist()],
                    "owner_id": board_owner[board_of[batch]],
                    "parent_pin_id": [None if p < 0 else p for p in parent_id[batch].tolist()],
                    "media_id": media_base + source[batch],
                    "title": batch_titles,
                    "description": ["" if r else next(descriptions) for r in repin],
                    "link": ["" if r else next(links) for r in repin],
                    "alt_text": [
                        "" if r or n % 3 else f"Photo: {t.lower()}"
                        for n, (r, t) in enumerate(zip(repin, batch_titles, strict=True))
                    ],
                    "created_at": pin_time[batch],
                },
            )
        )
    for table in follows.tables:
        writer.write(table)
    _create_indexes(rebuilt)
    _reset_sequences(written)
    return GenerationResult(
        users=len(user_ids),
        boards=spec.boards,
        sections=sections.count,
        media=originals,
        renditions=originals * RENDITIONS_PER_MEDIA,
        pins=len(order),
        repins=int(is_repin.sum()),
        follows={t.model._meta.label: t.count for t in follows.tables},
        seconds=time.monotonic() - started,
    )


def analyze(written: Sequence[type[models.Model]] | None = None) -> None:
    """Refresh the planner's statistics (and, outside a transaction, the visibility map) after a
    bulk load, so the first queries are planned on the catalog as it now is."""
    if connection.vendor != "postgresql":
        return
    follow_models = [m for m in _follow_models() if m is not None]
    tables = written or [User, Board, BoardSection, MediaRecord, Rendition, Pin, *follow_models]
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
