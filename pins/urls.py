from django.urls import path

from pins import views

urlpatterns = [
    path("", views.home_view, name="home"),
    path("pin/<int:pin_id>/", views.pin_detail_view, name="pin_detail"),
    path("pin/<int:pin_id>/card/", views.pin_card_view, name="pin_card"),
    path("pin/<int:pin_id>/edit/", views.pin_edit_view, name="pin_edit"),
    path("pin/<int:pin_id>/delete/", views.pin_delete_view, name="pin_delete"),
    path("pin/<int:pin_id>/save/", views.pin_save_view, name="pin_save"),
    path("pin-builder/", views.pin_builder_view, name="pin_builder"),
    path("search/", views.search_view, name="search"),
]
