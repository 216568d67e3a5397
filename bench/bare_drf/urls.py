from django.urls import path
from rest_framework import generics, pagination, serializers

from bare_drf.models import Item


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "name", "status", "quantity", "created"]


class Pages(pagination.CursorPagination):
    ordering = "-id"


class ItemList(generics.ListAPIView):
    queryset = Item.objects.all()
    serializer_class = ItemSerializer
    pagination_class = Pages


urlpatterns = [path("items/", ItemList.as_view())]
