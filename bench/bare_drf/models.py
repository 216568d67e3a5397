from django.db import models


class Item(models.Model):
    name = models.CharField(max_length=100)
    status = models.CharField(max_length=16)
    quantity = models.IntegerField()
    created = models.DateTimeField()

    class Meta:
        app_label = "bare_drf"

    def __str__(self):
        return self.name
