from django.urls import path

from . import board, manager, visitors, workspace

app_name = "hall"

urlpatterns = [
    path("counter/", workspace.workspace, name="counter"),
    path("counter/sign-in/", workspace.sign_in, name="sign_in"),
    path("counter/<slug:action>/", workspace.act, name="act"),
    path("manage/", manager.live, name="manage"),
    path("manage/counters/<int:pk>/close/", manager.close_counter, name="close_counter"),
    path("manage/counters/<int:pk>/skills/", manager.counter_skills, name="counter_skills"),
    path("manage/history/", manager.history, name="history"),
    path("manage/history/<slug:table>.csv", manager.history_csv, name="history_csv"),
    path("t/<uuid:token>/", visitors.ticket_status, name="status"),
    path("<slug:centre>/kiosk/", visitors.kiosk, name="kiosk"),
    path("<slug:centre>/kiosk/<uuid:token>/", visitors.kiosk_ticket, name="kiosk_ticket"),
    path("<slug:centre>/ticket/", visitors.remote, name="remote"),
    path("<slug:centre>/board/", board.board, name="board"),
    path("<slug:centre>/board/panel/", board.panel, name="board_panel"),
]
