from django.urls import path

from . import board, visitors, workspace

app_name = "hall"

urlpatterns = [
    path("counter/", workspace.workspace, name="counter"),
    path("counter/sign-in/", workspace.sign_in, name="sign_in"),
    path("counter/<slug:action>/", workspace.act, name="act"),
    path("t/<uuid:token>/", visitors.ticket_status, name="status"),
    path("<slug:centre>/kiosk/", visitors.kiosk, name="kiosk"),
    path("<slug:centre>/kiosk/<uuid:token>/", visitors.kiosk_ticket, name="kiosk_ticket"),
    path("<slug:centre>/ticket/", visitors.remote, name="remote"),
    path("<slug:centre>/board/", board.board, name="board"),
    path("<slug:centre>/board/panel/", board.panel, name="board_panel"),
]
