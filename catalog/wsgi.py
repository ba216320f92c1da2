import gc
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "catalog.settings")

application = get_wsgi_application()

# Models can be imported once the app is loaded.
from catalog.response_cache import release  # noqa: E402
from pins.related import snapshot_warm_in_background  # noqa: E402

# Named now, from the files this process has loaded: files changed on disk later (a deploy that
# replaces them before restarting) must not give this process's responses the next release's name.
release()

if settings.RELATED_GRAPH_REFRESH_SECONDS:
    snapshot_warm_in_background()

# Everything loaded so far (Django, the apps, their modules) lives as long as the process. Moved
# out of the collector's generations, it is no longer re-scanned by every full collection, which
# otherwise adds tens of milliseconds to an unlucky request (BENCHMARKS.md, discovery).
gc.freeze()
