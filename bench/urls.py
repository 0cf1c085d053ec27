from django.http import HttpResponse
from django.urls import include, path


def constant(request):
    """A bare Django view returning a constant: the ceiling for the same stack."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/constant/", constant),
    path("", include("tongban.urls")),
]
