from django.urls import path

from . import workspace

app_name = "hall"

urlpatterns = [
    path("counter/", workspace.workspace, name="counter"),
    path("counter/sign-in/", workspace.sign_in, name="sign_in"),
    path("counter/<slug:action>/", workspace.act, name="act"),
]
