from django.urls import path

from dsvb.web.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("signed-out/", views.signed_out, name="signed-out"),
    path("", views.account, name="account"),
    path("password/", views.change_password, name="change-password"),
    path("second-factor/", views.second_factor, name="second-factor"),
    path("second-factor/set-up/", views.second_factor_setup, name="second-factor-setup"),
    path("second-factor/remove/", views.second_factor_remove, name="second-factor-remove"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_edit, name="user-new"),
    path("users/<int:user_id>/", views.user_edit, name="user-edit"),
    path("users/<int:user_id>/invite/", views.user_invite, name="user-invite"),
    path("users/<int:user_id>/unlock/", views.user_unlock, name="user-unlock"),
    path("invitation/<uidb64>/<token>/", views.InvitationView.as_view(), name="invitation"),
]
