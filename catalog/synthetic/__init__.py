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

Where things are: `vocabulary` (ranked words), `texts` (titles, descriptions, links, names),
`structure` (skewed weights, sections, saves), `features` (dominant colours, perceptual hashes),
`assets` (the real image files; media and rendition rows), `follows` (follow rows), `writer`
(COPY or INSERT, ids, sequences, indexes) and `generate` (the whole catalog, in order).
"""

from catalog.synthetic.generate import (
    BENCH_PASSWORD,
    BENCH_USERNAME,
    CatalogSpec,
    analyze,
    catalog_generate,
)
from catalog.synthetic.writer import GenerationError

__all__ = [
    "BENCH_PASSWORD",
    "BENCH_USERNAME",
    "CatalogSpec",
    "GenerationError",
    "analyze",
    "catalog_generate",
]
