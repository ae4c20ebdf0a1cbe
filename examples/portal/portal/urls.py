from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("lang/<str:code>/", views.set_lang, name="lang"),
    path("signup/", views.signup, name="signup"),
    path("verify/", views.verify, name="verify"),
    path("outbox/", views.outbox, name="outbox"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("ups/", views.ups, name="ups"),
    path("dealer/", views.dealer, name="dealer"),
]
