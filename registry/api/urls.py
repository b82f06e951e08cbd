from rest_framework.routers import SimpleRouter

from registry.api.views import CapabilityViewSet, FirmViewSet

router = SimpleRouter()
router.register("firms", FirmViewSet, basename="firm")
router.register("capabilities", CapabilityViewSet, basename="capability")

urlpatterns = router.urls
