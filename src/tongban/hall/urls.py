from django.urls import path

from . import board, device_pages, follow_ups, manager, rater, visitors, workspace

app_name = "hall"

urlpatterns = [
    path("counter/", workspace.workspace, name="counter"),
    path("counter/sign-in/", workspace.sign_in, name="sign_in"),
    path("counter/<slug:action>/", workspace.act, name="act"),
    path("manage/", manager.live, name="manage"),
    path("manage/counters/<int:pk>/close/", manager.close_counter, name="close_counter"),
    path("manage/counters/<int:pk>/skills/", manager.counter_skills, name="counter_skills"),
    path("manage/history/", manager.history, name="history"),
    path("manage/devices/", device_pages.device_list, name="devices"),
    path("manage/devices/<int:pk>/revoke/", device_pages.revoke, name="revoke_device"),
    path("manage/follow-ups/", follow_ups.follow_up_list, name="follow_ups"),
    path("manage/follow-ups/<int:pk>/", follow_ups.act, name="follow_up"),
    path("manage/history/<slug:table>.csv", manager.history_csv, name="history_csv"),
    path("t/<uuid:token>/", visitors.ticket_status, name="status"),
    path("t/<uuid:token>/rate/", rater.visit, name="rate"),
    path("<slug:centre>/kiosk/", visitors.kiosk, name="kiosk"),
    path("<slug:centre>/kiosk/<uuid:token>/", visitors.kiosk_ticket, name="kiosk_ticket"),
    path("<slug:centre>/ticket/", visitors.remote, name="remote"),
    path("<slug:centre>/board/", board.board, name="board"),
    path("<slug:centre>/rater/", rater.tablet, name="rater"),
    path("<slug:centre>/board/panel/", board.panel, name="board_panel"),
]
