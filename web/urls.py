"""Pages, at the site root. Auth views are named here (namespace `web`), so their success URLs are set explicitly."""

from django.contrib.auth import views as auth_views
from django.urls import path

from web.views import auth, dashboard, directory, firm, links, members, review, screening, weights
from web.views import events as event_pages
from web.views import service_accounts as service_account_pages
from web.views import two_factor as two_factor_pages
from web.views import webhooks as webhook_pages

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
    path("accounts/email/", auth.email_settings, name="email_settings"),
    path("accounts/email/resend/", auth.email_confirmation_resend, name="email_confirmation_resend"),
    path("accounts/email/confirm/<str:token>/", auth.email_confirm, name="email_confirm"),
    path("accounts/email/stop/<str:token>/", auth.email_change_cancel, name="email_change_cancel"),
    path("accounts/2fa/setup/", two_factor_pages.two_factor_setup, name="two_factor_setup"),
    path("accounts/2fa/verify/", two_factor_pages.two_factor_verify, name="two_factor_verify"),
]

firm_urls = [
    path("", firm.home, name="home"),
    path("firms/new/", firm.firm_create, name="firm_create"),
    path("firms/<int:firm_id>/", firm.firm_dashboard, name="firm_dashboard"),
    path("firms/<int:firm_id>/edit/", firm.firm_edit, name="firm_edit"),
    path("firms/<int:firm_id>/confirm/", firm.firm_confirm, name="firm_confirm"),
    path("firms/<int:firm_id>/history/", firm.firm_history, name="firm_history"),
    path("firms/<int:firm_id>/members/", members.firm_members, name="firm_members"),
    path("firms/<int:firm_id>/members/<int:pk>/role/", members.member_role, name="firm_member_role"),
    path("firms/<int:firm_id>/members/<int:pk>/remove/", members.member_remove, name="firm_member_remove"),
    path(
        "firms/<int:firm_id>/invitations/<int:pk>/revoke/",
        members.invitation_revoke,
        name="firm_invitation_revoke",
    ),
    path("invitations/<str:token>/", members.invitation_accept, name="invitation_accept"),
    path("firms/<int:firm_id>/webhooks/", webhook_pages.firm_webhooks, name="firm_webhooks"),
    path("firms/<int:firm_id>/webhooks/<int:pk>/", webhook_pages.webhook_detail, name="firm_webhook"),
    path("firms/<int:firm_id>/webhooks/<int:pk>/rotate/", webhook_pages.webhook_rotate, name="firm_webhook_rotate"),
    path("firms/<int:firm_id>/webhooks/<int:pk>/enable/", webhook_pages.webhook_enable, name="firm_webhook_enable"),
    path("firms/<int:firm_id>/webhooks/<int:pk>/disable/", webhook_pages.webhook_disable, name="firm_webhook_disable"),
    path("firms/<int:firm_id>/webhooks/<int:pk>/delete/", webhook_pages.webhook_delete, name="firm_webhook_delete"),
    path(
        "firms/<int:firm_id>/webhook-deliveries/<int:pk>/resend/",
        webhook_pages.webhook_resend,
        name="firm_webhook_resend",
    ),
    path(
        "firms/<int:firm_id>/service-accounts/",
        service_account_pages.firm_service_accounts,
        name="firm_service_accounts",
    ),
    path(
        "firms/<int:firm_id>/service-accounts/<int:pk>/revoke/",
        service_account_pages.service_account_revoke,
        name="firm_service_account_revoke",
    ),
    path(
        "firms/<int:firm_id>/service-accounts/<int:pk>/rotate/",
        service_account_pages.service_account_rotate,
        name="firm_service_account_rotate",
    ),
    path("proposals/<int:pk>/", links.proposal_open, name="proposal_open"),
    path("firms/<int:firm_id>/proposals/<int:pk>/", firm.proposal_detail, name="firm_proposal"),
    path("firms/<int:firm_id>/proposals/<int:pk>/accept/", firm.proposal_accept, name="firm_proposal_accept"),
    path("firms/<int:firm_id>/proposals/<int:pk>/decline/", firm.proposal_decline, name="firm_proposal_decline"),
    path("notifications/", firm.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", firm.notification_read, name="notification_read"),
    path("notifications/read-all/", firm.notification_read_all, name="notification_read_all"),
]

review_urls = [
    path("review/", review.queue, name="review_queue"),
    path("review/export/", review.queue_export, name="review_queue_export"),
    path("review/bulk/", review.bulk, name="review_bulk"),
    path("review/proposals/<int:pk>/", review.proposal_detail, name="review_proposal"),
    path("review/proposals/<int:pk>/decide/", review.proposal_decide, name="review_proposal_decide"),
    path("review/firms/", review.firm_queue, name="review_firms"),
    path("review/firms/all/", review.firm_list, name="review_firm_list"),
    path("review/firms/all/export/", review.firm_list_export, name="review_firm_list_export"),
    path("review/firms/<int:pk>/", review.firm_detail, name="review_firm"),
    path("review/firms/<int:pk>/status/", review.firm_status, name="review_firm_status"),
    path("review/firms/<int:pk>/capacity/", review.firm_capacity_override, name="review_firm_capacity"),
    path("review/runs/", review.run_list, name="review_runs"),
    path("review/runs/<int:pk>/", review.run_detail, name="review_run"),
    path("review/runs/<int:pk>/progress/", review.run_progress, name="review_run_progress"),
    path("review/runs/<int:pk>/allocation/", review.run_allocation_export, name="review_run_allocation"),
    path("review/dashboard/", dashboard.dashboard, name="review_dashboard"),
    path("review/dashboard/export/", review.dashboard_export, name="review_dashboard_export"),
    path("review/screening/", screening.screening_queue, name="review_screening"),
    path("review/screening/<int:pk>/decide/", screening.screening_decide, name="review_screening_decide"),
    path("review/weights/", weights.weight_sets, name="review_weights"),
    path("review/weights/fit/", weights.weight_set_fit, name="review_weights_fit"),
    path("review/weights/<int:pk>/activate/", weights.weight_set_activate_view, name="review_weights_activate"),
    path("review/weights/roll-back/", weights.weight_set_roll_back_view, name="review_weights_roll_back"),
]

directory_urls = [
    path("directory/", directory.directory, name="directory"),
    path("directory/searches/", directory.searches, name="directory_searches"),
    path("directory/searches/save/", directory.search_save, name="directory_search_save"),
    path("directory/searches/<int:pk>/delete/", directory.search_delete, name="directory_search_delete"),
    path("directory/<int:pk>/", directory.firm_profile, name="directory_firm"),
]

event_urls = [
    path("events/", event_pages.event_list, name="event_list"),
    path("events/new/", event_pages.event_create, name="event_create"),
    path("events/<int:pk>/", event_pages.event_detail, name="event_detail"),
    path("events/<int:pk>/register/", event_pages.event_register, name="event_register"),
    path("events/<int:pk>/organise/", event_pages.event_organise, name="event_organise"),
    path("events/<int:pk>/status/", event_pages.event_status, name="event_status"),
    path("events/<int:pk>/schedule/", event_pages.event_schedule, name="event_schedule"),
    path("events/runs/<int:pk>/progress/", event_pages.event_run_progress, name="event_run_progress"),
    path("events/<int:pk>/publish/", event_pages.event_publish, name="event_publish"),
    path("events/participations/<int:pk>/request/", event_pages.request_send, name="event_request_send"),
    path("events/participations/<int:pk>/agenda/", event_pages.agenda, name="event_agenda"),
    path("events/participations/<int:pk>/agenda/print/", event_pages.agenda_print, name="event_agenda_print"),
    path("events/participations/<int:pk>/agenda.ics", event_pages.agenda_ics_download, name="event_agenda_ics"),
    path("events/requests/<int:pk>/accept/", event_pages.request_accept, name="event_request_accept"),
    path("events/requests/<int:pk>/decline/", event_pages.request_decline, name="event_request_decline"),
    path("events/meetings/<int:pk>/lock/", event_pages.meeting_lock, name="event_meeting_lock"),
    path("events/meetings/<int:pk>/cancel/", event_pages.meeting_cancel, name="event_meeting_cancel"),
    path("events/meetings/<int:pk>/follow-up/", event_pages.meeting_follow_up, name="event_meeting_follow_up"),
    path("events/calendar/<str:token>.ics", event_pages.calendar_feed, name="event_calendar_feed"),
]

urlpatterns = account_urls + firm_urls + review_urls + directory_urls + event_urls
