from django.urls import path

from integrations.api import views

BASE = "firms/<int:firm_id>/webhooks/"

urlpatterns = [
    path(BASE, views.WebhookEndpointListView.as_view(), name="firm-webhooks"),
    path(f"{BASE}<int:webhook_id>/", views.WebhookEndpointDetailView.as_view(), name="firm-webhook"),
    path(f"{BASE}<int:webhook_id>/rotate-secret/", views.WebhookRotateSecretView.as_view(), name="firm-webhook-rotate"),
    path(
        f"{BASE}<int:webhook_id>/deliveries/", views.WebhookDeliveryListView.as_view(), name="firm-webhook-deliveries"
    ),
    path(
        f"{BASE}<int:webhook_id>/deliveries/<int:delivery_id>/resend/",
        views.WebhookDeliveryResendView.as_view(),
        name="firm-webhook-delivery-resend",
    ),
]
