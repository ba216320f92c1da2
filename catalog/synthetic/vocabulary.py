"""The words a synthetic catalog writes with, ranked so their frequencies follow Zipf's law."""

from dataclasses import dataclass

import numpy as np

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
