from django.urls import path

from accounts.api import views

urlpatterns = [
    path("auth/token/", views.TokenCreateView.as_view(), name="auth-token"),
    path("auth/tokens/", views.TokenListView.as_view(), name="auth-tokens"),
    path("auth/tokens/<str:token_key>/", views.TokenDetailView.as_view(), name="auth-token-detail"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/signup/", views.SignupView.as_view(), name="auth-signup"),
    path("me/", views.MeView.as_view(), name="me"),
    path("me/email-confirmation/", views.EmailConfirmationSendView.as_view(), name="me-email-confirmation"),
    path(
        "me/email-confirmation/confirm/",
        views.EmailConfirmView.as_view(),
        name="me-email-confirmation-confirm",
    ),
    path("firms/<int:firm_id>/members/", views.MemberListView.as_view(), name="firm-members"),
    path("firms/<int:firm_id>/members/<int:membership_id>/", views.MemberDetailView.as_view(), name="firm-member"),
    path("firms/<int:firm_id>/invitations/", views.InvitationListView.as_view(), name="firm-invitations"),
    path(
        "firms/<int:firm_id>/invitations/<int:invitation_id>/",
        views.InvitationDetailView.as_view(),
        name="firm-invitation",
    ),
    path("firms/<int:firm_id>/service-accounts/", views.ServiceAccountListView.as_view(), name="firm-service-accounts"),
    path(
        "firms/<int:firm_id>/service-accounts/<int:account_id>/",
        views.ServiceAccountDetailView.as_view(),
        name="firm-service-account",
    ),
    path(
        "firms/<int:firm_id>/service-accounts/<int:account_id>/rotate-token/",
        views.ServiceAccountRotateView.as_view(),
        name="firm-service-account-rotate",
    ),
    path("invitations/accept/", views.InvitationAcceptView.as_view(), name="invitation-accept"),
]
