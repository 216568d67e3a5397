from django.conf import settings

from dsp_portal.navigation import nav_bar, nav_for


def portal(request):
    user = getattr(request, "user", None)
    items = nav_for(user) if user is not None and user.is_authenticated else []
    return {"program_name": settings.PROGRAM_NAME, "nav_items": items, "nav_bar": nav_bar(items)}
