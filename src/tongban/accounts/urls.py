from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("", views.home, name="home"),
    path("profile/", views.edit_profile, name="profile"),
    path("staff/", views.staff_home, name="staff"),
    path("staff/applicants/", views.applicant_search, name="applicant_search"),
    path("staff/applicants/<int:pk>/", views.applicant_detail, name="applicant_detail"),
]
