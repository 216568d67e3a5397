app_name = "hubs"

urlpatterns: list = []
