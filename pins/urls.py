from django.urls import path

from pins import views

urlpatterns = [
    path("", views.home_view, name="home"),
    path("pin/<int:pin_id>/", views.pin_detail_view, name="pin_detail"),
    path("pin-builder/", views.pin_builder_view, name="pin_builder"),
]
