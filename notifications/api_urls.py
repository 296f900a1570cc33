from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.register("messages", api.MessageViewSet, basename="message")
router.register("coordinator-tasks", api.CoordinatorTaskViewSet, basename="coordinator-task")

urlpatterns = router.urls
