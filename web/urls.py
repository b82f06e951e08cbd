"""Pages, at the site root. Auth views are named here (namespace `web`), so their success URLs are set explicitly."""

from django.contrib.auth import views as auth_views
from django.urls import path

from web.views import auth, dashboard, firm, members, review

app_name = "web"

account_urls = [
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", auth.signup, name="signup"),
    path("accounts/signup/sent/", auth.signup_done, name="signup_done"),
    path("accounts/password/", auth.password_change, name="password_change"),
    path("accounts/password-reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/language/", auth.set_language, name="set_language"),
]

firm_urls = [
    path("", firm.home, name="home"),
    path("firms/new/", firm.firm_create, name="firm_create"),
    path("firms/<int:firm_id>/", firm.firm_dashboard, name="firm_dashboard"),
    path("firms/<int:firm_id>/edit/", firm.firm_edit, name="firm_edit"),
    path("firms/<int:firm_id>/members/", members.firm_members, name="firm_members"),
    path(
        "firms/<int:firm_id>/invitations/<int:pk>/revoke/",
        members.invitation_revoke,
        name="firm_invitation_revoke",
    ),
    path("invitations/<str:token>/", members.invitation_accept, name="invitation_accept"),
    path("firms/<int:firm_id>/proposals/<int:pk>/", firm.proposal_detail, name="firm_proposal"),
    path("firms/<int:firm_id>/proposals/<int:pk>/accept/", firm.proposal_accept, name="firm_proposal_accept"),
    path("firms/<int:firm_id>/proposals/<int:pk>/decline/", firm.proposal_decline, name="firm_proposal_decline"),
    path("notifications/", firm.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", firm.notification_read, name="notification_read"),
    path("notifications/read-all/", firm.notification_read_all, name="notification_read_all"),
]

review_urls = [
    path("review/", review.queue, name="review_queue"),
    path("review/bulk/", review.bulk, name="review_bulk"),
    path("review/proposals/<int:pk>/", review.proposal_detail, name="review_proposal"),
    path("review/proposals/<int:pk>/decide/", review.proposal_decide, name="review_proposal_decide"),
    path("review/firms/", review.firm_queue, name="review_firms"),
    path("review/firms/<int:pk>/", review.firm_detail, name="review_firm"),
    path("review/firms/<int:pk>/status/", review.firm_status, name="review_firm_status"),
    path("review/firms/<int:pk>/capacity/", review.firm_capacity_override, name="review_firm_capacity"),
    path("review/runs/", review.run_list, name="review_runs"),
    path("review/runs/<int:pk>/", review.run_detail, name="review_run"),
    path("review/runs/<int:pk>/progress/", review.run_progress, name="review_run_progress"),
    path("review/dashboard/", dashboard.dashboard, name="review_dashboard"),
]

urlpatterns = account_urls + firm_urls + review_urls
